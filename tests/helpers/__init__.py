"""What tests share besides fixtures and record builders (tests/factories.py): clients, readers,
sample files and the steps a member of staff takes over HTTP, one module per package of the code."""
