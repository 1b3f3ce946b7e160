"""Document sources: the packages whose records some certificates are copies of.

The issuance service builds the resident and tax documents itself, from the resident register
(``builders``). A 罹災証明書 is different: the counter issues it on an application kept by another
package, on the grade a reviewer made final, and what a kiosk or らくらく窓口 prints is a further copy
of that certificate. The certificates core does not know those records. The package that keeps them
registers a ``DocumentSource`` here when the application discovers it (the disasters package does
so in its ``hooks.py``), and issuance asks it, for a person and a request's options, for the record
behind the document: the grade it certifies (eligibility) and how to make the next copy.

A document kind no source provides has no record, so issuance refuses it as it refuses a person
whose household has no issued certificate.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from app.certificates.services import Subject
from certificate_engine.documents import Document, Header


@dataclass(frozen=True)
class DocumentCopy:
    """A further copy of an issued certificate: its serial, the subject it belongs to (so voiding
    the record voids the copy too) and the builder of the engine's document."""

    serial: str
    subject: Subject
    build: Callable[[Header], Document]


@dataclass(frozen=True)
class SourceRecord:
    """The issued record a person's copy is made from: the grade it certifies, and how to make the
    next copy (numbered when it is made, in the issuing transaction)."""

    final_grade: str
    next_copy: Callable[[Session], DocumentCopy]


# (session, document kind, resident id, the request's options) → the person's record, or None.
RecordFinder = Callable[[Session, str, int, dict], SourceRecord | None]


@dataclass(frozen=True)
class DocumentSource:
    """A package that provides the records of some document kinds."""

    name: str
    kinds: tuple[str, ...]
    find: RecordFinder


_SOURCES: dict[str, DocumentSource] = {}


def register(source: DocumentSource) -> None:
    """Make ``source`` the provider of its document kinds (registering it again changes nothing).
    Two packages providing one kind would be ambiguous: refused."""
    for kind in source.kinds:
        known = _SOURCES.get(kind)
        if known is not None and known.name != source.name:
            raise ValueError(f"{kind} is already provided by {known.name}, not {source.name}")
    for kind in source.kinds:
        _SOURCES[kind] = source


def provided_kinds() -> tuple[str, ...]:
    """The document kinds some registered source provides."""
    return tuple(_SOURCES)


def find_record(session: Session, document_type: str, resident_id: int, options: dict) -> SourceRecord | None:
    """The record a copy of ``document_type`` for the resident would be made from (None: none, or no
    source provides the kind)."""
    source = _SOURCES.get(document_type)
    return None if source is None else source.find(session, document_type, resident_id, options)
