"""What a request brings, checked before it reaches a view or the database.

- ``<id:…>`` and ``<bigid:…>``: the URL converters for record ids and other database keys. Only
  1 … 2³¹−1 (PostgreSQL ``integer``, the type of most keys) or 1 … 2⁶³−1 (``bigint`` keys: jobs,
  spatial analyses) match; anything else is a 404 before the view runs, never a database error.
- ``page_number``: the page of a list screen (other query numbers: ``app.query_params``).
- ``unstorable_field``: finds a character PostgreSQL cannot store (NUL, a lone surrogate) in the
  path, query string, form fields, file names or JSON strings; ``app/web.py`` refuses such a
  request with 400 before any view runs.
- ``form_integer``: a form or query value read as such a number, or a default.
- ``malformed_number_field``: the fields that carry a database number chosen on the screen (the
  optimistic-lock ``version``, record ids from selects and hidden fields) must be one an
  ``integer`` column can hold; views read them with ``int()``.
"""
from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from werkzeug.routing import IntegerConverter

from app.query_params import BIGINT_MAX, INTEGER_MAX, integer_parameter

# PostgreSQL's text types refuse NUL, and a lone surrogate (JSON's "\ud800") has no UTF-8 encoding.
UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


class DatabaseIdConverter(IntegerConverter):
    """``<id:name>``: a key of a PostgreSQL ``integer`` column (1 … 2³¹−1), else no route matches (404)."""

    maximum = INTEGER_MAX

    def __init__(self, map, *args, **kwargs) -> None:
        super().__init__(map, min=1, max=self.maximum)


class BigDatabaseIdConverter(DatabaseIdConverter):
    """``<bigid:name>``: a key of a PostgreSQL ``bigint`` column (1 … 2⁶³−1)."""

    maximum = BIGINT_MAX


URL_CONVERTERS = {"id": DatabaseIdConverter, "bigid": BigDatabaseIdConverter}


def page_number(args: Mapping[str, str], page_size: int, name: str = "page") -> int:
    """The 1-based page number in ``args[name]`` (1 when absent), at most the last page whose row
    offset PostgreSQL can hold; anything else is refused (InvalidParameter, 400)."""
    return integer_parameter(args.get(name), name, default=1, minimum=1, maximum=BIGINT_MAX // page_size)


# Form and query fields holding a number of an integer column: the version a form was rendered with
# and the record ids the screens offer in selects, checkboxes and hidden fields.
NUMBER_FIELDS = frozenset({"version", "building_id", "disaster_id", "shelter_id", "to_opening_id", "victim_id",
                           "user_id", "recipient_id"})


def form_integer(raw: str | None, default: int | None = None) -> int | None:
    """``raw`` (a form or query value) as a number of an ``integer`` column (0 … 2³¹−1), else ``default``.
    ASCII digits only: ``str.isdigit`` also takes "²" or "١", which ``int()`` then refuses."""
    if raw and raw.isascii() and raw.isdigit() and int(raw) <= INTEGER_MAX:
        return int(raw)
    return default


def malformed_number_field(*sources) -> str | None:
    """The first of ``NUMBER_FIELDS`` in the given form/query mappings whose value is anything but
    empty or 0 … 2³¹−1, or None."""
    for source in sources:
        for name in NUMBER_FIELDS & source.keys():
            for value in source.getlist(name):
                if value and form_integer(value) is None:
                    return name
    return None


def unstorable_field(path: str, view_args: Mapping[str, Any] | None, args, form, files,
                     json_body: Any) -> str | None:
    """Where the request holds a character PostgreSQL cannot store: the name of the path parameter,
    query parameter, form field, uploaded file or JSON member (``$.a.b[2]``), or None."""
    found = _first_unstorable(path, view_args, args, form, files, json_body)
    return None if found is None else UNSTORABLE.sub("\ufffd", found)


def _first_unstorable(path, view_args, args, form, files, json_body) -> str | None:
    if UNSTORABLE.search(path):
        for name, value in (view_args or {}).items():
            if isinstance(value, str) and UNSTORABLE.search(value):
                return name
        return "path"
    for source in (args, form):
        for name, value in source.items(multi=True):
            if UNSTORABLE.search(name) or UNSTORABLE.search(value):
                return name
    for name, upload in files.items(multi=True):
        if upload.filename and UNSTORABLE.search(upload.filename):
            return name
    return next(_unstorable_json(json_body, "$"), None)


def _unstorable_json(document: Any, root: str) -> Iterator[str]:
    """Where strings (members' names too) in a parsed JSON document hold an unstorable character.
    Walked with a stack, not recursion: the document may nest as deep as the parser allowed."""
    stack = [(document, root)]
    while stack:
        value, where = stack.pop()
        if isinstance(value, str):
            if UNSTORABLE.search(value):
                yield where
        elif isinstance(value, dict):
            if any(UNSTORABLE.search(key) for key in value):
                yield where
            stack.extend((item, f"{where}.{key}") for key, item in reversed(value.items()))
        elif isinstance(value, list):
            stack.extend((item, f"{where}[{index}]") for index, item in reversed(list(enumerate(value))))
