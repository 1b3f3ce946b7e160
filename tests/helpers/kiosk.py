"""The kiosk tests' client of the kiosk API (a store's terminal), its fixed clock and store headers,
and what a response must be to match the published OpenAPI document. The kiosk fixtures
(``jpki``, ``kiosk``, ``document``) are in tests/fixtures_kiosk.py."""
from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import select

from app.residents.models import Resident
from tests.factories import register, store_operator, with_seal_and_tax
from tests.helpers.cards import heads, trust_config
from tests.helpers.demo import DEMO_CODE, SECOND_CODE

API = "/api/kiosk/v1"
OPEN_NOW = "2026-11-26T10:00:00+09:00"  # a Thursday, within hours; 令和8年度 is the current tax year
STORE = {"X-Kiosk-Store-Id": "sendai-001", "X-Kiosk-Store-Lg-Code": "041009"}


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


def kiosk_client(web, app, jpki, monkeypatch, system_session, operator: str = "demo-mart") -> KioskClient:
    """A kiosk of a store operator with every card registered, the clock fixed at ``OPEN_NOW`` and
    the card holders given a seal and this year's tax record."""
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


def resident(system_session, lg_code: str, atena_no: str) -> Resident:
    return system_session.scalar(select(Resident).where(Resident.lg_code == lg_code, Resident.atena_no == atena_no))
