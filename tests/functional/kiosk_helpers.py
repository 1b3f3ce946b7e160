"""Shared arrangements of the kiosk tests: a registered test JPKI, a store operator, a fixed clock,
a client that speaks the kiosk API, and residents with a seal and this year's tax record."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

import pytest
from sqlalchemy import select

from app.db import SYSTEM
from app.extensions import db as database
from app.kiosk import stores
from app.residents.models import Resident, SealRegistration, TaxRecord
from fixtures.certificate_samples import seal_png
from fixtures.demo_kiosk import contract_all

API = "/api/kiosk/v1"
OPEN_NOW = "2026-11-26T10:00:00+09:00"  # a Thursday, within hours; 令和8年度 is the current tax year
STORE = {"X-Kiosk-Store-Id": "sendai-001", "X-Kiosk-Store-Lg-Code": "041009"}


def store_operator(code: str = "demo-mart", contracted: bool = True) -> str:
    """A store operator committed in the test's transaction (with a contract of every municipality
    unless ``contracted`` is False); its plain token."""
    with database.unit_of_work(SYSTEM) as session:
        _, plain = stores.create_operator(session, code, "デモマート")
        if contracted:
            contract_all(session, code)
    return plain


@dataclass
class KioskClient:
    client: object
    token: str
    store: dict

    def headers(self) -> dict:
        return {"Authorization": f"Bearer {self.token}", **self.store}

    def post(self, path: str, body: dict | None = None):
        return self.client.post(API + path, json=body if body is not None else {}, headers=self.headers())

    def get(self, path: str):
        return self.client.get(API + path, headers=self.headers())

    def post_raw(self, path: str, data: bytes | str, content_type: str = "application/json"):
        """POST a body exactly as given (not JSON-encoded by the client)."""
        return self.client.post(API + path, data=data, headers={**self.headers(), "Content-Type": content_type})

    def login(self, card, pin: str = "1234"):
        """Open a session and answer its challenge with ``card``: (session id, verify response)."""
        opened = self.post("/sessions")
        assert opened.status_code == 201, opened.get_data(as_text=True)
        body = opened.get_json()
        answer = card.respond(body["challenge_id"], body["challenge"], pin)
        return body["session_id"], self.post(f"/sessions/{body['session_id']}/verify", answer)

    def request(self, session_id: str, document_type: str, options: dict | None = None):
        return self.post(f"/sessions/{session_id}/requests", {"document_type": document_type,
                                                              "options": options or {}})

    def pay(self, request_id: str, amount: int):
        return self.post(f"/requests/{request_id}/payment", {"amount_yen": amount})

    def issue(self, request_id: str):
        """Issue the paid request (201 with the PDF; a repeated call 200 with the same document)."""
        return self.post(f"/requests/{request_id}/issue")

    def pdf(self, request_id: str):
        """Read an issued request's PDF again (never issues)."""
        return self.get(f"/requests/{request_id}/pdf")


def jpki_fixture():
    """A module's test JPKI (``jpki``), as ``card_helpers.build_jpki`` makes it."""
    from tests.functional.card_helpers import build_jpki

    @pytest.fixture(scope="module")
    def jpki(app, tmp_path_factory):
        return build_jpki(tmp_path_factory.mktemp("kiosk-jpki"))

    return jpki


def kiosk_fixture():
    """A test's kiosk (``kiosk``): ``kiosk_client`` of the store operator demo-mart."""
    @pytest.fixture()
    def kiosk(web, app, jpki, monkeypatch, system_session):
        return kiosk_client(web, app, jpki, monkeypatch, system_session)

    return kiosk


def document_fixture():
    """The kiosk API's published OpenAPI document (``document``)."""
    @pytest.fixture()
    def document(web):
        return web.client.get(API + "/openapi.json").get_json()

    return document


def kiosk_client(web, app, jpki, monkeypatch, system_session, operator: str = "demo-mart") -> KioskClient:
    """A kiosk of a store operator with every card registered, the clock fixed at ``OPEN_NOW`` and
    the card holders given a seal and this year's tax record."""
    from tests.conftest import DEMO_CODE, SECOND_CODE
    from tests.functional.card_helpers import heads, register, trust_config

    trust_config(monkeypatch, app, jpki)
    monkeypatch.setitem(app.config, "KIOSK_FIXED_NOW", OPEN_NOW)
    register(jpki)
    for lg_code, count in ((DEMO_CODE, 2), (SECOND_CODE, 1)):
        for atena_no, _ in heads(lg_code, count):
            with_seal_and_tax(system_session, lg_code, atena_no)
    return KioskClient(web.client, store_operator(operator), dict(STORE))


def documented(document: dict, method: str, template: str, response) -> None:
    """Assert that ``response`` is one the OpenAPI ``document`` declares for the operation: its status,
    its content type and, for a problem document, its ``code`` among those listed for that status."""
    operation = document["paths"][template][method.lower()]
    declared = operation["responses"].get(str(response.status_code))
    assert declared is not None, f"{method} {template}: {response.status_code} not declared"
    assert response.mimetype in declared.get("content", {}), (response.mimetype, list(declared.get("content", {})))
    if response.mimetype == "application/problem+json":
        schema = declared["content"][response.mimetype]["schema"]
        codes = schema["properties"]["code"]["enum"]
        assert response.get_json()["code"] in codes, (response.get_json()["code"], codes)


def template_of(path: str) -> str:
    """The OpenAPI path template of a kiosk API path (ids replaced by their parameter names)."""
    path = re.sub(r"^/sessions/[^/]+", "/sessions/{session_id}", path)
    return re.sub(r"^/requests/[^/]+", "/requests/{request_id}", path)


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


def resident(system_session, lg_code: str, atena_no: str) -> Resident:
    return system_session.scalar(select(Resident).where(Resident.lg_code == lg_code, Resident.atena_no == atena_no))
