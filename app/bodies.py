"""The one reader of JSON request bodies (the kiosk, card authentication and online applications APIs,
the desks' card answers), checked before any service runs: over the endpoint's size limit, not
JSON, nested too deep, or outside the endpoint's JSON Schema — the very schema the API's OpenAPI
document publishes — is refused with a precise code and the offending field.

``read_body`` reads the request; everything else takes bytes and values, so the unit tests reach
every boundary without one. Strings may not hold control characters (PostgreSQL cannot store
NUL; nothing printed on a certificate needs the others) except the line breaks of a PEM text, nor
unpaired surrogates; numbers must be finite, and integral ones are integers (``2026.0`` is 2026)."""
from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field

import jsonschema_rs
from flask import request
from werkzeug.exceptions import RequestEntityTooLarge

from app.errors import DomainError

# The deepest body any endpoint takes is {"options": {...}}: depth 2. Deeper is refused before parsing.
MAX_DEPTH = 4
# A body-less call (or "{}") is allowed this many bytes; each endpoint with a body states its own.
SMALL_BODY = 1024
# Strings hold no control characters; the certificate's PEM text may break lines (tab, LF, CR).
ONE_LINE = "^[^\\u0000-\\u001F\\u007F]*$"
LINES = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F]*$"
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_UNSAFE = re.compile("[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\ud800-\udfff]")

MESSAGES = {
    "body_too_large": "リクエストの本文が大きすぎます（この操作では {limit} バイトまで）。",
    "body_too_deep": f"リクエストの本文（JSON）の入れ子が深すぎます（{MAX_DEPTH}段まで）。",
    "body_invalid": "リクエストの本文が正しくありません（{where}{reason}）。",
}
REASONS = {
    "missing": "必要な項目がありません", "unknown": "定義されていない項目です", "type": "値の型が違います",
    "maxLength": "文字数が多すぎます", "minLength": "空にはできません", "pattern": "使えない制御文字が含まれています",
    "minimum": "値が範囲外です", "maximum": "値が範囲外です", "maxProperties": "項目が多すぎます",
    "encoding": "文字コードが正しくありません", "json": "JSON として読めません",
}


def text(max_length: int, min_length: int = 0, lines: bool = False, **extra) -> dict:
    """JSON Schema of a string of at most ``max_length`` characters without control characters (with
    ``lines``, tabs and line breaks are allowed)."""
    return {"type": "string", "minLength": min_length, "maxLength": max_length, "pattern": LINES if lines else ONE_LINE,
            **extra}


def shown(value: object, limit: int = 40) -> str:
    """A name or value from a request, safe to show and to store: control characters and unpaired
    surrogates become U+FFFD, and it is cut to ``limit`` characters."""
    return _UNSAFE.sub("\ufffd", str(value))[:limit]


class BodyRefused(DomainError):
    """The request body is refused: ``code`` is ``body_too_large`` (413), ``body_too_deep`` or
    ``body_invalid`` (400); ``details`` name the ``field`` (a JSON pointer) and the ``reason``."""

    status = 400
    title = "リクエストの内容が正しくありません"

    def __init__(self, code: str, message: str, status: int = 400, **details):
        super().__init__(message, code=code, details=details)
        self.status = status
        self.body: object = None  # the parsed body, when it was JSON (for an audit entry of the refusal)

    @classmethod
    def too_large(cls, limit: int) -> BodyRefused:
        return cls("body_too_large", MESSAGES["body_too_large"].format(limit=limit), 413, limit=limit)

    @classmethod
    def invalid(cls, pointer: str, reason: str) -> BodyRefused:
        where = f"「{pointer.lstrip('/')}」: " if pointer else ""
        message = MESSAGES["body_invalid"].format(where=where, reason=REASONS.get(reason, "値が正しくありません"))
        return cls("body_invalid", message, field=pointer, reason=reason)


def nesting_depth(text_value: str, stop_at: int = MAX_DEPTH) -> int:
    """How deeply arrays and objects nest in JSON text (strings skipped); counting stops past
    ``stop_at``, so a hostile body costs one pass and no recursion."""
    depth = deepest = 0
    for char in _STRING.sub("", text_value):
        if char in "[{":
            depth += 1
            deepest = max(deepest, depth)
            if deepest > stop_at:
                break
        elif char in "]}":
            depth -= 1
    return deepest


def _number(literal: str) -> int | float:
    value = float(literal)
    if not math.isfinite(value):
        raise ValueError("not a finite number")
    return int(value) if value.is_integer() else value


def _no_constant(literal: str):
    raise ValueError(f"{literal} is not JSON")


def parse_json(raw: bytes) -> object:
    """The JSON value of ``raw`` (UTF-8): refused when it is not JSON or nests deeper than MAX_DEPTH."""
    try:
        decoded = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise BodyRefused.invalid("", "encoding") from None
    if nesting_depth(decoded) > MAX_DEPTH:
        raise BodyRefused("body_too_deep", MESSAGES["body_too_deep"], max_depth=MAX_DEPTH)
    try:
        return json.loads(decoded, parse_float=_number, parse_constant=_no_constant)
    except (ValueError, RecursionError):
        raise BodyRefused.invalid("", "json") from None


def _pointer(path) -> str:
    return "".join(f"/{shown(part)}" for part in path)


def _refusal(error) -> BodyRefused:
    """The first schema error as a refusal naming its field."""
    kind = error.kind.name
    if kind == "additionalProperties":
        return BodyRefused.invalid(_pointer([*error.instance_path, error.kind.unexpected[0]]), "unknown")
    if kind == "required":
        return BodyRefused.invalid(_pointer([*error.instance_path, error.kind.property]), "missing")
    return BodyRefused.invalid(_pointer(error.instance_path), kind)


@dataclass(frozen=True)
class BodySpec:
    """What one endpoint accepts: a JSON Schema (published in the OpenAPI document), the size limit
    in bytes, and whether a body is required (else an absent body is ``{}``)."""

    schema: dict
    max_bytes: int = SMALL_BODY
    required: bool = True
    _validator: object = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        object.__setattr__(self, "_validator", jsonschema_rs.validator_for(self.schema))

    def accepts(self, value: object) -> bool:
        """Whether ``value`` matches the schema (what ``check`` would let through)."""
        try:
            return self._validator.is_valid(value)
        except UnicodeEncodeError:
            return False

    def check(self, value: object) -> object:
        """``value`` if it matches the schema; else the refusal of its first error, an undeclared
        member reported before a wrong value."""
        try:
            errors = list(self._validator.iter_errors(value))
        except UnicodeEncodeError:  # an unpaired surrogate ("\ud800") in a string
            raise BodyRefused.invalid("", "encoding") from None
        if errors:
            errors.sort(key=lambda e: e.kind.name != "additionalProperties")
            raise _refusal(errors[0])
        return value

    def parse(self, raw: bytes) -> object:
        """The checked JSON value of a body already known to be within ``max_bytes``."""
        if not raw.strip():
            if self.required:
                raise BodyRefused.invalid("", "missing")
            return {}
        value = parse_json(raw)
        try:
            return self.check(value)
        except BodyRefused as refused:
            refused.body = value
            raise


EMPTY = BodySpec({"type": "object", "properties": {}, "additionalProperties": False,
                  "description": "本文なし、又は空のオブジェクト {}"}, required=False)
# The card reader's answer to a challenge (both APIs): at most 16 KiB, a certificate of at most
# 8192 characters (a JPKI certificate in PEM is about 2 500) and a signature of at most 1024 (RSA-4096
# is 683 in base64).
CARD_ANSWER = BodySpec({
    "type": "object", "required": ["challenge_id", "certificate", "signature"], "additionalProperties": False,
    "properties": {
        "challenge_id": text(64, 1, description="チャレンジのID（発行時の challenge_id、UUID）"),
        "certificate": text(8192, 1, lines=True, description="利用者証明用電子証明書（PEM、又は DER の base64）"),
        "signature": text(1024, 1, description="チャレンジのバイト列そのものへの署名（base64url）。"
                                               "RSA PKCS#1 v1.5 / ECDSA、SHA-256"),
    }}, max_bytes=16 * 1024)


def limit_body(max_bytes: int) -> None:
    """Refuse (413) a request whose declared body is over ``max_bytes``, and make reading stop there
    for a body sent without a length."""
    request.max_content_length = max_bytes
    if request.content_length is not None and request.content_length > max_bytes:
        raise BodyRefused.too_large(max_bytes)


def read_body(spec: BodySpec) -> object:
    """The request's JSON body, checked against ``spec`` (size, JSON, depth, schema)."""
    limit_body(spec.max_bytes)
    try:
        raw = request.get_data(cache=True)
    except RequestEntityTooLarge:
        raise BodyRefused.too_large(spec.max_bytes) from None
    if len(raw) > spec.max_bytes:  # already read by an earlier reader of the request
        raise BodyRefused.too_large(spec.max_bytes)
    return spec.parse(raw)
