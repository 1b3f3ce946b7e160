"""Shared arrangements for the card authentication tests: a test JPKI whose cards belong to real
residents of the two test municipalities, their registration, a terminal token."""
from __future__ import annotations

import shutil
from pathlib import Path

from sqlalchemy import select

from app.audit.services import Actor
from app.db import SYSTEM
from app.extensions import db as database
from app.residents.link.tokens import create_token
from app.residents.models import Resident
from fixtures.demo_cards import register_all
from fixtures.jpki import CardHolder, JpkiFixture, build_test_jpki
from fixtures.virtual_card import VirtualCard
from tests.conftest import DEMO_CODE, SECOND_CODE, tenant_session


def heads(lg_code: str, count: int) -> list[tuple[str, str]]:
    """(atena_no, 住民票コード) of the first household heads of a municipality, not under 支援措置."""
    with database.unit_of_work(SYSTEM) as session:
        return [tuple(row) for row in session.execute(select(Resident.atena_no, Resident.resident_code).where(
            Resident.lg_code == lg_code, Resident.status == "住登内", Resident.is_household_head,
            Resident.is_protected.is_(False)).order_by(Resident.id).limit(count))]


def build_jpki(directory: Path) -> JpkiFixture:
    """Cards ``demo-1``, ``demo-2`` (桜ヶ丘町) and ``second-1`` (北山村), plus expired/revoked/forged."""
    holders = [CardHolder(DEMO_CODE, code, f"demo-{n}") for n, (_, code) in enumerate(heads(DEMO_CODE, 2), 1)]
    holders += [CardHolder(SECOND_CODE, code, "second-1") for _, code in heads(SECOND_CODE, 1)]
    return build_test_jpki(directory, holders)


def register(jpki: JpkiFixture, only: set[str] | None = None) -> None:
    """Register the cards (all, or the labels in ``only``) in their municipalities."""
    subset = jpki if only is None else _subset(jpki, only)
    for lg_code in (DEMO_CODE, SECOND_CODE):
        session = tenant_session(lg_code)
        register_all(session, subset, lg_code)
        session.commit()
        session.close()


def _subset(jpki: JpkiFixture, labels: set[str]) -> JpkiFixture:
    return JpkiFixture(jpki.directory, jpki.ca_cert_path, jpki.crl_path,
                    {k: v for k, v in jpki.cards.items() if k in labels},
                    {k: v for k, v in jpki.holders.items() if k in labels})


def fresh_card(jpki: JpkiFixture, label: str, tmp_path: Path) -> VirtualCard:
    path = tmp_path / f"{label}.json"
    shutil.copy(jpki.cards[label], path)
    return VirtualCard.load(path)


def terminal_token(lg_code: str) -> str:
    session = tenant_session(lg_code)
    _, plain = create_token(session, Actor.system(lg_code, "test"), "受付端末", purpose="card_reader")
    session.commit()
    session.close()
    return plain


def trust_config(monkeypatch, app, jpki: JpkiFixture) -> None:
    monkeypatch.setitem(app.config, "JPKI_CA_CERT", str(jpki.ca_cert_path))
    monkeypatch.setitem(app.config, "JPKI_CRL", str(jpki.crl_path))
