"""The card authentication tests' test JPKI, whose cards belong to real residents of the two test
municipalities, and the trust anchor the app is given for it. Registering the cards and a terminal
token are record builders: tests/factories.py."""
from __future__ import annotations

import shutil
from pathlib import Path

from sqlalchemy import select

from app.db import SYSTEM
from app.extensions import db as database
from app.residents.models import Resident
from fixtures.jpki import CardHolder, JpkiFixture, build_test_jpki
from fixtures.virtual_card import VirtualCard
from tests.helpers.demo import DEMO_CODE, SECOND_CODE


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


def fresh_card(jpki: JpkiFixture, label: str, tmp_path: Path) -> VirtualCard:
    path = tmp_path / f"{label}.json"
    shutil.copy(jpki.cards[label], path)
    return VirtualCard.load(path)


def trust_config(monkeypatch, app, jpki: JpkiFixture) -> None:
    monkeypatch.setitem(app.config, "JPKI_CA_CERT", str(jpki.ca_cert_path))
    monkeypatch.setitem(app.config, "JPKI_CRL", str(jpki.crl_path))
