"""A municipality's own wording on its certificates: the printed title and the 証明文 of each
document type. Only what differs from the engine's standard wording is kept, so a change of the
standard reaches every municipality that did not write its own."""
from __future__ import annotations

from dataclasses import dataclass

from app.errors import ValidationError
from certificate_engine.fonts import unsupported
from certificate_engine.layout import DEFAULT_STATEMENTS

# The document types (非課税証明書 is how a 課税証明書 prints when nothing is assessed).
KINDS = tuple(DEFAULT_STATEMENTS)
MAX_TITLE, MAX_STATEMENT = 30, 200


@dataclass(frozen=True)
class Wording:
    """Per document type: the municipality's title and 証明文 (absent: the standard)."""

    titles: dict[str, str]
    statements: dict[str, str]


def standard_statement(kind: str) -> str:
    return DEFAULT_STATEMENTS[kind]


def from_form(form) -> Wording | None:
    """The titles (``title_<種類>``) and 証明文 (``statement_<種類>``) the form sends, checked:
    lengths, and characters the certificate fonts print. Blank or standard text: the standard.
    None when the form carries no wording at all (nothing to change)."""
    if not any(f"{field}_{kind}" in form for kind in KINDS for field in ("title", "statement")):
        return None
    titles, statements = {}, {}
    for kind in KINDS:
        title = " ".join((form.get(f"title_{kind}") or "").split())
        statement = (form.get(f"statement_{kind}") or "").strip()
        if title and title != kind:
            titles[kind] = _checked(kind, "表題", title, MAX_TITLE)
        if statement and statement != standard_statement(kind):
            statements[kind] = _checked(kind, "証明文", statement, MAX_STATEMENT)
    return Wording(titles, statements)


def _checked(kind: str, label: str, text: str, limit: int) -> str:
    if len(text) > limit:
        raise ValidationError(f"{kind}の{label}は{limit}文字以内にしてください（{len(text)}文字）。",
                              code="wording_too_long")
    missing = unsupported(text)
    if missing:
        raise ValidationError(f"{kind}の{label}に証明書で印字できない文字があります: {'、'.join(missing)}",
                              code="unsupported_characters", details={"characters": missing})
    return text
