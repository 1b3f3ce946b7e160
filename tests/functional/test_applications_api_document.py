"""The online applications API and the public verify API publish OpenAPI documents, and the
applications API refuses what its columns cannot hold with a 422 problem document, not a 500."""
import pytest

from tests.fuzz.arrange import applications_target


@pytest.fixture()
def applications(db):
    return applications_target(db).headers


def _open_disaster(web, headers) -> int:
    return web.client.get("/api/applications/v1/disasters", headers=headers).get_json()["disasters"][0]["id"]


def _application(disaster_id, **changes) -> dict:
    return {"disaster_id": disaster_id, "kind": "被災証明書", "applicant_name": "桜ヶ丘 太郎",
            "applicant_address": "桜ヶ丘町一丁目1番1号", "cause": "大雨", "damaged_property": "家財", **changes}


def test_documents_are_served_without_authentication(web):
    applications = web.get("/api/applications/v1/openapi.json").get_json()
    assert applications["openapi"].startswith("3.1")
    assert {"/disasters", "/certificate-applications", "/certificate-applications/{application_id}"} == set(
        applications["paths"])
    new = applications["components"]["schemas"]["NewApplication"]["properties"]
    assert new["applicant_name"]["maxLength"] == 100 and new["disaster_id"]["maximum"] == 2**31 - 1
    verify = web.get("/api/verify/v1/openapi.json").get_json()
    assert verify["openapi"].startswith("3.1") and "/{code}" in verify["paths"]


def test_a_valid_application_is_received(web, applications):
    response = web.client.post("/api/applications/v1/certificate-applications", headers=applications,
                               json=_application(_open_disaster(web, applications)))
    assert response.status_code == 201, response.get_data(as_text=True)


@pytest.mark.parametrize(("changes", "field"), [
    ({"applicant_name": "桜\x00太郎"}, "$.applicant_name"), ({"building_address": "\x00"}, "$.building_address")])
def test_a_nul_in_a_text_field_is_refused_before_the_api_reads_it(web, applications, changes, field):
    body = {**_application(_open_disaster(web, applications)), **changes}
    response = web.client.post("/api/applications/v1/certificate-applications", headers=applications, json=body)
    assert response.status_code == 400, response.get_data(as_text=True)
    assert response.get_json()["code"] == "unstorable_character"
    assert response.get_json()["details"] == {"field": field}


@pytest.mark.parametrize(("changes", "code"), [
    ({"applicant_name": "あ" * 101}, "too_long"),
    ({"applicant_phone": "0" * 21}, "too_long"),
    ({"disaster_id": 2**40}, "disaster_unknown"),
    ({"disaster_id": True}, "disaster_unknown"),
])
def test_what_the_columns_cannot_hold_is_refused(web, applications, changes, code):
    body = {**_application(_open_disaster(web, applications)), **changes}
    response = web.client.post("/api/applications/v1/certificate-applications", headers=applications, json=body)
    assert response.status_code == 422, response.get_data(as_text=True)
    assert response.get_json()["code"] == code


@pytest.mark.parametrize("number", [2**31, 2**63])
def test_an_application_id_past_the_integer_column_is_not_found(web, applications, number):
    response = web.client.get(f"/api/applications/v1/certificate-applications/{number}", headers=applications)
    assert response.status_code == 404 and response.get_json()["code"] == "not_found"
