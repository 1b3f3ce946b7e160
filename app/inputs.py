"""What a request brings, checked before it reaches a view or the database.

- ``DatabaseIdConverter``: the ``<id:…>`` URL converter for record ids and other database keys.
  Only 1 … 2⁶³−1 (PostgreSQL ``bigint``) match; anything else is a 404 before the view runs.
"""
from __future__ import annotations

from werkzeug.routing import IntegerConverter

BIGINT_MAX = 2**63 - 1


class DatabaseIdConverter(IntegerConverter):
    """``<id:name>``: a positive PostgreSQL ``bigint`` (1 … 2⁶³−1), else no route matches (404)."""

    def __init__(self, map, *args, **kwargs) -> None:
        super().__init__(map, min=1, max=BIGINT_MAX)
