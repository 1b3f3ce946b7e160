"""Integer query parameters of the APIs (``offset``, ``limit``): parsed and range-checked before they
reach SQL, so a client gets a 400 naming the parameter instead of a database error.

The ranges are those of the PostgreSQL types the numbers end up in: ``OFFSET`` takes a ``bigint``,
record ids of ``integer`` keys stop at 2³¹−1."""
from __future__ import annotations

import re

from app.errors import DomainError

BIGINT_MAX = 2**63 - 1
INTEGER_MAX = 2**31 - 1
INTEGER_MIN = -(2**31)
_DECIMAL = re.compile(r"-?[0-9]+")  # ASCII digits only: int() would also take "١٢", " 7" or "1_000"


class InvalidParameter(DomainError):
    """A query parameter the API cannot use: 400 with the parameter named in ``details``."""

    status = 400
    code = "invalid_parameter"
    title = "パラメータに誤りがあります"


def integer_parameter(value: str | None, name: str, *, default: int, minimum: int, maximum: int | None) -> int:
    """``value`` (from the query string) as an integer of ``minimum``…``maximum`` (no upper bound when
    ``maximum`` is None); ``default`` when the parameter is absent or empty."""
    if value in (None, ""):
        return default
    if len(value) > 1000 or not _DECIMAL.fullmatch(value):  # 1,000 digits: far past any range, still quick to read
        raise InvalidParameter(f"{name} は整数で指定してください。", details={"parameter": name})
    number = int(value)
    if number < minimum or (maximum is not None and number > maximum):
        upper = "" if maximum is None else f"{maximum}以下の"
        raise InvalidParameter(f"{name} は{minimum}以上{upper}整数で指定してください。", details={"parameter": name})
    return number
