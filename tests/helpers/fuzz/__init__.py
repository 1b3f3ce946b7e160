"""Fuzzing the APIs from their own OpenAPI documents: the harness and the records each API needs."""
