"""The desk's resident search pages instead of stopping at 20 without a word: the JSON carries the
total, the offset and the next offset; page after page reaches every match exactly once, people under
支援措置 stay without address and birth date on every page, and a bad offset or limit is a 400."""
import pytest
from sqlalchemy import text

from tests.helpers.demo import DEMO_CODE

SEARCH = "/shelters/desk/search.json"


@pytest.fixture()
def common_kana(system_session) -> str:
    """The first letter of the commonest family-name initial: many more people than one page."""
    return system_session.scalar(text("""SELECT left(name_kana, 1) FROM residents WHERE lg_code = :lg
                                         AND status = '住登内' GROUP BY 1 ORDER BY count(*) DESC LIMIT 1"""),
                                 {"lg": DEMO_CODE})


def _search(browser, **terms):
    response = browser.get(SEARCH, query_string=terms, headers={"Accept": "application/json"})
    return response.status_code, response.get_json()


def test_every_match_is_reached_once_page_after_page(as_admin, system_session, common_kana):
    expected = system_session.scalar(text("""SELECT count(*) FROM residents WHERE lg_code = :lg AND status = '住登内'
                                             AND name_kana LIKE :k"""), {"lg": DEMO_CODE, "k": f"{common_kana}%"})
    status, first = _search(as_admin, kana=common_kana)
    assert status == 200 and first["total"] == expected > 20
    assert len(first["results"]) == 20 and first["offset"] == 0 and first["next_offset"] == 20
    assert first["total_is_capped"] is False
    seen, offset, pages = [], 0, 0
    while offset is not None:
        _, body = _search(as_admin, kana=common_kana, offset=str(offset), limit="50")
        assert body["total"] == expected
        seen += [r["atena_no"] for r in body["results"]]
        offset, pages = body["next_offset"], pages + 1
    assert len(seen) == len(set(seen)) == expected and pages == -(-expected // 50)
    kana_order = [r["name_kana"] for r in _search(as_admin, kana=common_kana, limit="100")[1]["results"]]
    assert kana_order == sorted(kana_order)


def test_protected_people_stay_withheld_on_every_page(as_admin, system_session):
    kana = system_session.scalar(text("""SELECT left(name_kana, 1) FROM residents WHERE lg_code = :lg
                                         AND status = '住登内' AND is_protected ORDER BY id LIMIT 1"""),
                                 {"lg": DEMO_CODE})
    offset, protected = 0, []
    while offset is not None:
        _, body = _search(as_admin, kana=kana, offset=str(offset), limit="100")
        protected += [r for r in body["results"] if r["is_protected"]]
        offset = body["next_offset"]
    assert protected and all(r["address"] == "" and r["birth_date"] is None for r in protected)


def test_a_search_by_birth_date_alone_pages_too(as_admin, system_session):
    day, count = system_session.execute(text("""SELECT birth_date, count(*) FROM residents WHERE lg_code = :lg
                                                AND status = '住登内' GROUP BY 1 ORDER BY 2 DESC LIMIT 1"""),
                                        {"lg": DEMO_CODE}).one()
    _, body = _search(as_admin, birth=day.isoformat(), limit="1")
    assert body["total"] == count and len(body["results"]) == 1
    assert body["next_offset"] == (1 if count > 1 else None)


@pytest.mark.parametrize("terms", [{"offset": "-1"}, {"offset": "x"}, {"offset": "10001"}, {"limit": "0"},
                                   {"limit": "101"}, {"limit": "1.5"}])
def test_a_bad_offset_or_limit_is_a_400_naming_it(as_admin, terms):
    response = as_admin.get(SEARCH, query_string={"kana": "ヤ", **terms}, headers={"Accept": "application/json"})
    assert response.status_code == 400 and response.mimetype == "application/problem+json"
    body = response.get_json()
    name = next(iter(terms))
    assert body["code"] == "invalid_parameter" and body["details"]["parameter"] == name
    assert f"{name} は" in body["detail"] and "整数で指定してください" in body["detail"]
