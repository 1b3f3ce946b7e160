"""The link API refuses numbers it cannot use with a problem document instead of a database error:
ids and generation numbers beyond PostgreSQL ``integer`` name nothing (404), ``offset``/``limit``
outside their declared ranges are 400 ``invalid_parameter``; the OpenAPI document states the ranges."""
import pytest

from fixtures.link_batch import write_full_batch
from tests.factories import make_municipality, small_town
from tests.helpers.link import api_get, post_batch

INTEGER_MAX = 2**31 - 1
BIGINT_MAX = 2**63 - 1


@pytest.fixture()
def link(db):
    return make_municipality(db)


def _problem(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert body["code"] == code and body["detail"], body
    return body


@pytest.mark.parametrize("number", [INTEGER_MAX + 1, BIGINT_MAX + 1, 10**40])
def test_ids_beyond_the_integer_column_are_not_found(web, link, number):
    _problem(api_get(web.client, link, f"/api/link/v1/batches/{number}"), 404, "not_found")
    _problem(api_get(web.client, link, f"/api/link/v1/batches/{number}/errors"), 404, "not_found")
    _problem(api_get(web.client, link, f"/api/link/v1/generations/{number}/export"), 404, "not_found")


def test_the_largest_integer_id_is_an_ordinary_miss(web, link):
    _problem(api_get(web.client, link, f"/api/link/v1/batches/{INTEGER_MAX}"), 404, "not_found")


@pytest.mark.parametrize("query", [f"offset={BIGINT_MAX + 1}", "offset=-1", "offset=abc", "offset=1.5",
                                   "offset=%EF%BC%91", "limit=0", "limit=1001", "limit=x", f"limit={BIGINT_MAX + 1}"])
def test_offset_and_limit_outside_their_ranges_are_refused(web, link, tmp_path, query):
    batch = post_batch(web.client, link, write_full_batch(small_town(), tmp_path / "b1.zip")).get_json()
    body = _problem(api_get(web.client, link, f"{batch['errors_url']}?{query}"), 400, "invalid_parameter")
    assert body["details"]["parameter"] == query.split("=")[0]


def test_the_extremes_of_the_ranges_are_served(web, link, tmp_path):
    batch = post_batch(web.client, link, write_full_batch(small_town(), tmp_path / "b1.zip")).get_json()
    page = api_get(web.client, link, f"{batch['errors_url']}?offset={BIGINT_MAX}&limit=1000")
    assert page.status_code == 200 and page.get_json() == {"offset": BIGINT_MAX, "limit": 1000, "errors": []}


def test_openapi_document_states_the_ranges(web):
    paths = web.get("/api/link/v1/openapi.json").get_json()["paths"]

    def parameter(path, name):
        found = next(p for p in paths[path]["get"]["parameters"] if p["name"] == name)
        return found["schema"]

    for path, name in (("/batches/{batch_id}", "batch_id"), ("/batches/{batch_id}/errors", "batch_id"),
                       ("/generations/{number}/export", "number")):
        assert (parameter(path, name)["minimum"], parameter(path, name)["maximum"]) == (1, INTEGER_MAX)
    assert (parameter("/batches/{batch_id}/errors", "offset")["maximum"]) == BIGINT_MAX
    assert (parameter("/batches/{batch_id}/errors", "limit")["maximum"]) == 1000
    assert "400" in paths["/batches/{batch_id}/errors"]["get"]["responses"]
