"""Builders of the records tests arrange: a municipality of its own, residents' seal and tax records,
tokens (link, GIS, card reader, store operator), registered cards, the extracted 避難行動要支援者名簿.

Each writes through the services (or the models, where no service writes that record) and commits
inside the test's transaction, which the ``db`` fixture rolls back. Steps a member of staff takes
over HTTP are in tests/helpers/, per package."""
from __future__ import annotations

from dataclasses import replace
from datetime import date

from sqlalchemy import select

from app.audit.services import Actor
from app.auth.models import User
from app.db import SYSTEM, Scope, set_scope
from app.evac_support.services import refresh_register
from app.extensions import db as app_db
from app.kiosk import stores
from app.ogc import tokens as gis_tokens
from app.residents.link import tokens as link_tokens
from app.residents.models import SealRegistration, TaxRecord
from app.tenants.models import Municipality
from app.tenants.services import create_default_roles
from fixtures.certificate_samples import seal_png
from fixtures.demo_cards import register_all
from fixtures.demo_kiosk import contract_all
from fixtures.jpki import JpkiFixture
from fixtures.town import DEMO_TOWN, generate_town
from tests.helpers.database import tenant_session
from tests.helpers.demo import DEMO_CODE, SECOND_CODE

# --- municipalities and their towns ---------------------------------------------------------------

LINK_CODE = "012033"  # a municipality that exists only inside each test's transaction
LINK_TOWN = replace(DEMO_TOWN, lg_code=LINK_CODE, name="小樽港町", name_kana="オタルミナトチョウ", prefecture="北海道",
                    chome_base="港")


def make_municipality(database, lg_code: str = LINK_CODE, name: str = "小樽港町") -> str:
    """Register a municipality and issue a link token for it; returns the token."""
    session = database.session_factory()
    set_scope(session, SYSTEM)
    session.add(Municipality(lg_code=lg_code, name=name, name_kana="", kind="町", population=1000,
                             center_lat=43.19, center_lon=141.0))
    session.flush()
    set_scope(session, Scope.tenant(lg_code))
    create_default_roles(session, lg_code)
    _, plain = link_tokens.create_token(session, Actor.system(lg_code, "test"), "テスト用連携サーバ")
    session.commit()
    session.close()
    return plain


def small_town(residents: int = 120, seed: int = 3):
    return generate_town(LINK_TOWN, residents=residents, seed=seed)


def town_with(character: str, residents: int = 1500):
    """A town of LINK_TOWN's kind in which somebody's name contains ``character`` (e.g. 𠮷)."""
    for seed in range(1, 200):
        town = generate_town(LINK_TOWN, residents=residents, seed=seed)
        if any(character in row[2] for row in town.iter_residents()):
            return town
    raise AssertionError(f"no town with {character}")


# --- residents ------------------------------------------------------------------------------------

def with_seal_and_tax(system_session, lg_code: str, atena_no: str, fiscal_year: int = 2026) -> None:
    """Give the resident an active seal registration and a tax record of ``fiscal_year`` if missing."""
    if system_session.scalar(select(SealRegistration).where(
            SealRegistration.lg_code == lg_code, SealRegistration.atena_no == atena_no,
            SealRegistration.abolished_on.is_(None))) is None:
        system_session.add(SealRegistration(lg_code=lg_code, registration_no=f"T{atena_no}"[:20], atena_no=atena_no,
                                            registered_on=date(2020, 4, 1), impression_png=seal_png("印影")))
    if system_session.scalar(select(TaxRecord).where(
            TaxRecord.lg_code == lg_code, TaxRecord.atena_no == atena_no,
            TaxRecord.fiscal_year == fiscal_year)) is None:
        system_session.add(TaxRecord(
            lg_code=lg_code, atena_no=atena_no, fiscal_year=fiscal_year, is_taxable=True, salary_income=4_000_000,
            salary_earnings=2_760_000, business_earnings=0, farm_earnings=0, real_estate_earnings=0,
            interest_earnings=0, dividend_earnings=0, pension_income=0, misc_earnings=0, total_earnings=2_760_000,
            deductions=1_200_000, taxable_base=1_560_000, has_spouse_deduction=False, dependants=1,
            per_capita_levy=5_000, income_levy=156_000, annual_tax=161_000, paid_amount=161_000, payment_status="1"))
    system_session.commit()


# --- tokens ---------------------------------------------------------------------------------------

def issue_token(database, lg_code: str, login_id: str, days: int = 90) -> str:
    """A personal GIS token of ``login_id`` in ``lg_code``, committed (inside the test's transaction)."""
    session = database.session_factory()
    set_scope(session, Scope.tenant(lg_code))
    user = session.scalars(select(User).where(User.login_id == login_id)).one()
    _, plain = gis_tokens.create_token(session, Actor(lg_code, user.id, login_id), "テスト用 QGIS", days)
    session.commit()
    session.close()
    return plain


def terminal_token(lg_code: str) -> str:
    """A card reader's token of ``lg_code`` (the card authentication API's terminal)."""
    session = tenant_session(lg_code)
    _, plain = link_tokens.create_token(session, Actor.system(lg_code, "test"), "受付端末", purpose="card_reader")
    session.commit()
    session.close()
    return plain


def store_operator(code: str = "demo-mart", contracted: bool = True) -> str:
    """A store operator committed in the test's transaction (with a contract of every municipality
    unless ``contracted`` is False); its plain token."""
    with app_db.unit_of_work(SYSTEM) as session:
        _, plain = stores.create_operator(session, code, "デモマート")
        if contracted:
            contract_all(session, code)
    return plain


# --- My Number cards ------------------------------------------------------------------------------

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


# --- registers ------------------------------------------------------------------------------------

def fill_register(database, lg_code: str) -> None:
    """Extract the 避難行動要支援者名簿 with the default criteria."""
    session = database.session_factory()
    set_scope(session, Scope.tenant(lg_code))
    refresh_register(session, Actor(lg_code, None, "test"))
    session.commit()
    session.close()
