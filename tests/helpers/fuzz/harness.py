"""Fuzzing an API from its own OpenAPI document with schemathesis, against the Flask app in process
(WSGI): every case is sent with the given credentials and its response checked for a server error
and for conformance to the document (status, content type, body schema).

Cases come from schemathesis's three phases per operation — the document's examples, the coverage
phase (boundary values: the largest integers, empty and over-long strings, wrong types) and
Hypothesis generation of valid and invalid data — derandomized, so a run is repeatable. Failures
are collected rather than raised, so one run counts every case and every finding."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import hypothesis
import schemathesis
from hypothesis import HealthCheck, Phase
from schemathesis.checks import not_a_server_error
from schemathesis.generation.hypothesis.builder import HypothesisTestConfig, HypothesisTestMode, create_test
from schemathesis.generation.overrides import Override
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

# The link API takes its batches as application/zip: random bytes, sent as they are.
schemathesis.serializer.alias("application/zip", "application/octet-stream")
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
CONFIG = {"generation": {"mode": "all"}}


@dataclass(frozen=True)
class Finding:
    """One failed check: what was sent (as a curl command) and what came back."""

    operation: str
    status: int
    message: str
    reproduce: str

    def __str__(self) -> str:
        return f"{self.operation} → {self.status}: {self.message}\n    {self.reproduce}"


@dataclass
class Report:
    cases: int = 0
    server_errors: int = 0
    client_errors: int = 0
    findings: list[Finding] = field(default_factory=list)

    def add(self, other: Report) -> None:
        self.cases += other.cases
        self.server_errors += other.server_errors
        self.client_errors += other.client_errors
        self.findings += other.findings

    def distinct(self) -> list[Finding]:
        """One finding per operation, status and first line of the message."""
        seen, kept = set(), []
        for finding in self.findings:
            key = (finding.operation, finding.status, finding.message.splitlines()[0] if finding.message else "")
            if key not in seen:
                seen.add(key)
                kept.append(finding)
        return kept


def fuzz(app, document_url: str, *, headers: dict[str, str], examples: int,
         path_parameters: dict[str, str] | None = None, skip: Callable[[str], bool] = lambda label: False) -> Report:
    """Send about ``examples`` generated cases (plus the coverage cases) to each operation of the
    document at ``document_url``, with ``headers`` (the credentials) on every request.
    ``path_parameters`` pins path parameters to values that exist (a kiosk session, say)."""
    schema = schemathesis.openapi.from_wsgi(document_url, app, config=schemathesis.Config.from_dict(CONFIG),
                                            headers=headers)
    report = Report()
    for result in schema.get_all_operations():
        operation = result.ok()
        if skip(operation.label):
            continue
        report.add(_fuzz_operation(schema, operation, headers, examples, path_parameters or {}))
    return report


def _fuzz_operation(schema, operation, headers: dict, examples: int, path_parameters: dict) -> Report:
    report = Report()
    declared = {p.name for p in operation.path_parameters}

    def send(case) -> None:
        report.cases += 1
        # buffered: the test client reads the whole answer and closes it, as a server would (a
        # streamed download removes its temporary file on close).
        response = case.call(headers=headers, buffered=True)
        if response.status_code >= 500:
            report.server_errors += 1
        elif response.status_code >= 400:
            report.client_errors += 1
        try:
            case.validate_response(response, checks=CHECKS, headers=headers)
        except (AssertionError, schemathesis.errors.FailureGroup) as failure:  # collected, not raised
            report.findings.append(Finding(operation.label, response.status_code, str(failure).strip()[:2000],
                                           case.as_curl_command(headers=headers)))

    settings = hypothesis.settings(max_examples=examples, derandomize=True, database=None, deadline=None,
                                   suppress_health_check=list(HealthCheck), phases=[Phase.explicit, Phase.generate],
                                   verbosity=hypothesis.Verbosity.quiet)
    config = HypothesisTestConfig(
        project=schema.config, modes=list(HypothesisTestMode), settings=settings,
        override=Override(path_parameters={k: v for k, v in path_parameters.items() if k in declared}))
    create_test(operation=operation, test_func=send, config=config)()
    return report
