"""What a request brings, checked before it reaches a view or the database.

- ``<id:…>`` and ``<bigid:…>``: the URL converters for record ids and other database keys. Only
  1 … 2³¹−1 (PostgreSQL ``integer``, the type of most keys) or 1 … 2⁶³−1 (``bigint`` keys: jobs,
  spatial analyses) match; anything else is a 404 before the view runs, never a database error.
- ``unstorable_field``: finds a character PostgreSQL cannot store (NUL, a lone surrogate) in the
  path, query string, form fields, file names or JSON strings; ``app/web.py`` refuses such a
  request with 400 before any view runs.

Numbers are read where the view uses them, by what they mean (the APIs' query numbers:
``app.query_params``):

- ``page_number``: the page of a list screen;
- ``form_version`` / ``form_id`` / ``form_ids``: the optimistic-lock version a form was rendered
  with and the record ids its selects, checkboxes and hidden fields offer. The screen wrote them,
  so anything but a number an ``integer`` column holds means the screen is stale or was tampered
  with: 400 「画面を開き直して…」 (``StaleForm``);
- ``link_id``: a record id in a link's query string that names what the page shows, as a path id
  would: one no column can hold is a record that is not there (404);
- ``typed_integer`` / ``typed_number``: a quantity a person typed (a whole number; a finite
  decimal): a Japanese form error naming the field (422);
- ``form_integer``: the lenient reading under them all: the number, or a default.
"""
from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from decimal import Decimal
from typing import Any

from werkzeug.routing import IntegerConverter

from app.errors import InvalidInput, NotFound, ValidationError
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


STALE_FORM_MESSAGE = "画面の情報が正しくありません。画面を開き直してから、もう一度操作してください。"
# Digits people type with a Japanese input method on: read as the ASCII ones.
_FULL_WIDTH_DIGITS = str.maketrans("０１２３４５６７８９－．", "0123456789-.")
# Plain digits only: int() and float() also take "1_000", "١٢", "nan", "inf" or "1e400".
_TYPED_INTEGER = re.compile(r"-?[0-9]{1,12}")
_TYPED_NUMBER = re.compile(r"-?[0-9]{1,12}(?:\.[0-9]{1,6})?")


class StaleForm(InvalidInput):
    """A version or record id a screen wrote into its form came back as no such number: 400."""

    code = "invalid_number"

    def __init__(self, field: str):
        super().__init__(STALE_FORM_MESSAGE, details={"field": field})


def form_integer(raw: str | None, default: int | None = None) -> int | None:
    """``raw`` (a form or query value) as a number of an ``integer`` column (0 … 2³¹−1), else ``default``.
    ASCII digits only: ``str.isdigit`` also takes "²" or "١", which ``int()`` then refuses; and at
    most ten of them, so that ``int()`` never meets its 4,300-digit limit."""
    if raw and len(raw) <= 10 and raw.isascii() and raw.isdigit() and int(raw) <= INTEGER_MAX:
        return int(raw)
    return default


def form_version(form: Mapping[str, str], name: str = "version") -> int:
    """The optimistic-lock version the form was rendered with (``form[name]``); missing or anything
    but 0 … 2³¹−1 raises StaleForm (400)."""
    version = form_integer(form.get(name))
    if version is None:
        raise StaleForm(name)
    return version


def form_id(form: Mapping[str, str], name: str, *, required: bool = False) -> int | None:
    """The record id chosen in ``form[name]`` (a select, a hidden field): None when empty or absent
    (unless ``required``), 1 … 2³¹−1, else StaleForm (400)."""
    raw = form.get(name)
    if not raw and not required:
        return None
    return _record_id(raw, name)


def form_ids(form, name: str) -> list[int]:
    """The record ids ticked in the checkboxes ``name``; any that is no id raises StaleForm (400)."""
    return [_record_id(raw, name) for raw in form.getlist(name)]


def _record_id(raw: str | None, name: str) -> int:
    number = form_integer(raw)
    if not number:  # None, or 0, which no key is
        raise StaleForm(name)
    return number


def link_id(args: Mapping[str, str], name: str) -> int | None:
    """A record id in a link's query string (``args[name]``) that names what the page shows: None
    when absent or empty; one no ``integer`` key can be is a record that is not there (NotFound, 404),
    as with the ``<id:>`` converter."""
    raw = args.get(name)
    if not raw:
        return None
    number = form_integer(raw)
    if not number:
        raise NotFound("指定された記録は見つかりません。")
    return number


def typed_integer(raw: str | None, label: str, *, default: int | None = None, minimum: int = 0,
                  maximum: int = INTEGER_MAX, code: str = "not_a_number") -> int | None:
    """A whole number a person typed into the field ``label`` (全角 digits too): ``default`` when
    blank; otherwise ``minimum`` … ``maximum`` (at most what an ``integer`` column holds), else a
    ValidationError (422) naming the field."""
    number = _typed(raw, label, _TYPED_INTEGER, "整数", code)
    return default if number is None else int(_within(number, label, minimum, maximum, code))


def typed_number(raw: str | None, label: str, *, maximum: float, minimum: float | None = None,
                 code: str = "not_a_number") -> float | None:
    """A decimal a person typed into the field ``label`` (plain digits, at most one point; 全角 too):
    None when blank; a finite number up to ``maximum`` (what its ``numeric`` column holds), else a
    ValidationError (422) naming the field."""
    number = _typed(raw, label, _TYPED_NUMBER, "数値", code)
    return None if number is None else float(_within(number, label, minimum, maximum, code))


def _typed(raw: str | None, label: str, pattern: re.Pattern, kind: str, code: str) -> Decimal | None:
    text = (raw or "").strip().translate(_FULL_WIDTH_DIGITS)
    if not text:
        return None
    if not pattern.fullmatch(text):
        raise ValidationError(f"{label}は{kind}で入力してください。", code=code, details={"field": label})
    return Decimal(text)


def _within(number: Decimal, label: str, minimum, maximum, code: str) -> Decimal:
    if minimum is not None and number < minimum:
        raise ValidationError(f"{label}は{minimum}以上で入力してください。", code=code, details={"field": label})
    if number > maximum:
        raise ValidationError(f"{label}は{maximum:,}以下で入力してください。", code=code, details={"field": label})
    return number


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
