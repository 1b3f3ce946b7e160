"""Whatever a request brings, the answer is a clear 400/404 with a Japanese message, never a 500:
record ids beyond PostgreSQL's bigint, page numbers, NUL bytes and other characters PostgreSQL refuses."""
import re
from datetime import date

import pytest

from app.disasters.models import Disaster
from tests.conftest import DEMO_CODE, new_browser

BAD_IDS = ("9223372036854775808", "18446744073709551616", "-1", "0")
TILE_COORDINATES = {"z", "x", "y"}
INTEGER_PARAMETER = re.compile(r"<(int|id)(?:\([^)]*\))?:(\w+)>")
ANY_PARAMETER = re.compile(r"<(?:[\w]+(?:\([^)]*\))?:)?(\w+)>")
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


@pytest.fixture()
def admin(app, db):
    browser = new_browser(app)
    assert browser.login(DEMO_CODE, "admin").status_code == 302
    return browser


@pytest.fixture()
def disaster_chosen(admin, system_session):
    """The admin works on a disaster (the 安否 screens need one)."""
    disaster = Disaster(lg_code=DEMO_CODE, name="入力検査の地震", kind="地震", started_on=date(2026, 11, 1))
    system_session.add(disaster)
    system_session.commit()
    assert admin.post("/disasters/select", {"disaster_id": disaster.id}, form_page="/").status_code == 302
    return disaster


def _integer_routes(app):
    """(rule, names of its integer parameters) for every route that takes a number in its path."""
    for rule in app.url_map.iter_rules():
        names = [name for _, name in INTEGER_PARAMETER.findall(rule.rule)]
        if names:
            yield rule, names


def _path(rule, values: dict[str, str]) -> str:
    return ANY_PARAMETER.sub(lambda m: values.get(m.group(1), "1"), rule.rule)


def assert_clear_refusal(response, statuses=(400, 404)):
    """A 4xx whose message a person can read: the Japanese error page or a problem+json document."""
    assert response.status_code in statuses, (response.request.path, response.status_code)
    if response.mimetype == "application/problem+json":
        body = response.get_json()
        assert body["status"] == response.status_code and body["code"]
        assert JAPANESE.search(body["title"] + body.get("detail", ""))
    else:
        assert response.mimetype == "text/html"
        page = response.get_data(as_text=True)
        assert JAPANESE.search(re.search(r"<h1[^>]*>(.*?)</h1>", page, re.S).group(1)), page[:300]


def test_record_ids_in_routes_use_the_database_id_converter(app):
    ints = [(rule.rule, name) for rule, names in _integer_routes(app) for name in names
            if name not in TILE_COORDINATES and "<id:" + name + ">" not in rule.rule]
    assert ints == []


def test_every_id_route_answers_404_to_ids_beyond_bigint(app, admin):
    token = admin.csrf_token("/")
    checked = 0
    for rule, names in _integer_routes(app):
        for name in names:
            if name in TILE_COORDINATES:
                continue
            for bad in BAD_IDS:
                path = _path(rule, {name: bad})
                for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                    response = admin.client.open(path, method=method, data={"csrf_token": token})
                    assert_clear_refusal(response, (404,))
                    checked += 1
    assert checked > 100


@pytest.mark.parametrize("value", ["9223372036854775808", "18446744073709551616", "-1"])
def test_tile_coordinates_beyond_range_are_refused(app, admin, disaster_chosen, value):
    for rule, names in _integer_routes(app):
        if TILE_COORDINATES & set(names):
            for name in TILE_COORDINATES:
                response = admin.get(_path(rule, {name: value, "layer": "shelters"}))
                assert response.status_code in (204, 400, 404), (rule.rule, name, response.status_code)
