"""The kiosk and card-auth OpenAPI documents tell the truth: every path parameter and store header is
declared with the pattern the server enforces, and each body schema accepts exactly what the server
accepts (checked by validating sample bodies against the published schema and sending them)."""
import re

import jsonschema_rs
import pytest

from tests.helpers.cards import fresh_card
from tests.helpers.kiosk import STORE

KIOSK_DOCUMENT = "/api/kiosk/v1/openapi.json"
CARD_DOCUMENT = "/api/cardauth/v1/openapi.json"




def _operations(document):
    for template, item in document["paths"].items():
        for method, operation in item.items():
            yield template, method, operation


def _body_validator(document, operation):
    schema = operation["requestBody"]["content"]["application/json"]["schema"]
    return jsonschema_rs.validator_for({**schema, "components": document["components"]})


@pytest.mark.parametrize("url", [KIOSK_DOCUMENT, CARD_DOCUMENT])
def test_every_path_parameter_is_declared_and_every_error_is_a_problem_document(web, url):
    document = web.client.get(url).get_json()
    assert document["openapi"].startswith("3.1")
    for template, method, operation in _operations(document):
        declared = {p["name"] for p in operation.get("parameters", []) if p["in"] == "path"}
        assert declared == set(re.findall(r"{(\w+)}", template)), (method, template)
        assert all(p["required"] for p in operation.get("parameters", []) if p["in"] == "path")
        for status, response in operation["responses"].items():
            if int(status) >= 400:
                content = response["content"]["application/problem+json"]
                assert content["schema"]["properties"]["code"]["enum"], (method, template, status)


def test_kiosk_store_headers_are_declared_with_the_patterns_the_server_enforces(web, kiosk):
    document = web.client.get(KIOSK_DOCUMENT).get_json()
    for template, method, operation in _operations(document):
        if template == "/openapi.json":
            continue
        headers = {p["name"]: p for p in operation["parameters"] if p["in"] == "header"}
        assert set(headers) == {"X-Kiosk-Store-Id", "X-Kiosk-Store-Lg-Code"}, (method, template)
        assert all(h["required"] for h in headers.values())
    headers = {p["name"]: re.compile(p["schema"]["pattern"]) for p in document["paths"]["/sessions"]["post"][
        "parameters"] if p["in"] == "header"}
    samples = [("X-Kiosk-Store-Id", "sendai-001", True), ("X-Kiosk-Store-Id", "店舗1", False),
               ("X-Kiosk-Store-Id", "a" * 41, False), ("X-Kiosk-Store-Id", "", False),
               ("X-Kiosk-Store-Lg-Code", "041009", True), ("X-Kiosk-Store-Lg-Code", "０４１００９", False),
               ("X-Kiosk-Store-Lg-Code", "481009", False), ("X-Kiosk-Store-Lg-Code", " 041009", False),
               ("X-Kiosk-Store-Lg-Code", "04100", False)]
    for name, value, valid in samples:
        assert bool(headers[name].search(value)) is valid, (name, value)
        kiosk.store = {**STORE, name: value}
        response = kiosk.post("/sessions")
        assert (response.status_code == 201) is valid, (name, value, response.get_data(as_text=True))
        if not valid:
            assert response.get_json()["code"] == "store_invalid"


def test_kiosk_body_schemas_accept_exactly_what_the_server_accepts(web, kiosk, jpki, tmp_path):
    document = web.client.get(KIOSK_DOCUMENT).get_json()
    session_id, _ = kiosk.login(fresh_card(jpki, "demo-1", tmp_path))
    new_request = _body_validator(document, document["paths"]["/sessions/{session_id}/requests"]["post"])
    samples = [
        {"document_type": "住民票の写し",
         "options": {"head_and_relationship": True, "honseki": False, "my_number": True}},
        {"document_type": "住民票記載事項証明書", "options": {"submitted_to": "〇〇銀行"}},
        {"document_type": "所得証明書", "options": {"fiscal_year": 2026}}, {"document_type": "印鑑登録証明書"},
        {"document_type": "納税証明書", "options": {"fiscal_year": 2026, "purpose": "融資の申込み"}},
        {"document_type": "戸籍謄本"}, {"document_type": "住民票の写し", "options": {"household": True}},
        {"document_type": "住民票の写し", "options": {"honseki": "true"}}, {"options": {}},
        {"document_type": "所得証明書", "options": {"fiscal_year": 2**31}}, {"document_type": "印鑑登録証明書", "x": 1},
        {"document_type": "住民票記載事項証明書", "options": {"submitted_to": "銀\u0007行"}}, {"document_type": ""},
    ]
    for body in samples:
        response = kiosk.post(f"/sessions/{session_id}/requests", body)
        assert new_request.is_valid(body) is (response.status_code != 400), (body, response.get_data(as_text=True))
    request_id = kiosk.post(f"/sessions/{session_id}/requests", samples[0]).get_json()["request_id"]
    payment = _body_validator(document, document["paths"]["/requests/{request_id}/payment"]["post"])
    for body in ({"amount_yen": "200"}, {"amount_yen": -1}, {"amount_yen": 2**40}, {}, {"amount_yen": 100},
                 {"amount_yen": 200}):
        response = kiosk.post(f"/requests/{request_id}/payment", body)
        assert payment.is_valid(body) is (response.status_code != 400), (body, response.get_data(as_text=True))


def test_card_auth_body_schema_accepts_exactly_what_the_server_accepts(web, app, jpki, monkeypatch, tmp_path):
    from tests.factories import register, terminal_token
    from tests.helpers.cards import trust_config
    from tests.helpers.demo import DEMO_CODE

    trust_config(monkeypatch, app, jpki)
    register(jpki)
    headers = {"Authorization": f"Bearer {terminal_token(DEMO_CODE)}"}
    document = web.client.get(CARD_DOCUMENT).get_json()
    answer_schema = _body_validator(document, document["paths"]["/verify"]["post"])
    challenge = web.client.post("/api/cardauth/v1/challenges", headers=headers).get_json()
    answer = fresh_card(jpki, "demo-1", tmp_path).respond(challenge["challenge_id"], challenge["challenge"], "1234")
    for body in ({**answer, "signature": 1}, {"challenge_id": answer["challenge_id"]}, {**answer, "extra": "x"},
                 {**answer, "certificate": "A" * 9000}, {**answer, "challenge_id": "not-a-uuid"}, answer):
        response = web.client.post("/api/cardauth/v1/verify", json=body, headers=headers)
        assert answer_schema.is_valid(body) is (response.status_code != 400), (body, response.get_data(as_text=True))
