"""The shelter desk's resident search through HTTP: kana typed loosely, 和暦 birth dates, address,
combined; errors explained; every search audited; another municipality's people never found."""
import pytest
from sqlalchemy import select, text

from app.residents.models import Resident
from certificate_engine.wareki import era_of
from tests.conftest import DEMO_CODE, new_browser


@pytest.fixture()
def person(system_session):
    return system_session.scalars(select(Resident).where(Resident.lg_code == DEMO_CODE, Resident.status == "住登内")
                                  .order_by(Resident.id).offset(7)).first()


def _search(browser, **terms):
    response = browser.get("/shelters/desk/search.json", query_string=terms)
    return response.status_code, response.get_json()


def _hiragana(katakana: str) -> str:
    return "".join(chr(ord(c) - 0x60) if "ァ" <= c <= "ヶ" else c for c in katakana)


def test_kana_typed_loosely_finds_the_person(as_admin, person):
    family, given = person.name_kana.split("　")
    for typed in (family, _hiragana(family), family[:2], family + given[:1], family + given, f"{family} {given}"):
        status, body = _search(as_admin, kana=typed)
        assert status == 200
        assert person.atena_no in [r["atena_no"] for r in body["results"]], typed
    _, exact = _search(as_admin, kana=family + given)
    assert exact["results"][0]["name_kana"].replace("　", "") == family + given  # the best match first


def test_birth_date_in_wareki_and_address_narrow_the_search(as_admin, person):
    era, year = era_of(person.birth_date)
    letter = {"令和": "R", "平成": "H", "昭和": "S", "大正": "T", "明治": "M"}[era]
    typed = f"{letter}{year}.{person.birth_date.month}.{person.birth_date.day}"
    _, by_birth = _search(as_admin, birth=typed)
    assert person.atena_no in [r["atena_no"] for r in by_birth["results"]]
    assert all(r["birth_date"] == person.birth_date.isoformat() for r in by_birth["results"])
    family = person.name_kana.split("　")[0]
    _, both = _search(as_admin, kana=family, birth=person.birth_date.isoformat(), address=person.address[-6:])
    assert [r["atena_no"] for r in both["results"]] == [person.atena_no]


def test_errors_are_explained_and_searches_audited(as_admin, person, system_session):
    status, body = _search(as_admin, birth="H31.5.1")
    assert status == 422 and "生年月日を読めません" in body["error"]
    status, body = _search(as_admin)
    assert status == 422 and body["code"] == "nothing_to_search"
    _search(as_admin, kana=person.name_kana)
    entry = system_session.execute(text("SELECT detail->>'kana', target_ids FROM audit_log "
                                        "WHERE action = 'resident_search' ORDER BY id DESC LIMIT 1")).one()
    assert entry[0] == person.name_kana.replace("　", "") and person.atena_no in entry[1]


def test_another_municipality_finds_nobody_here(app, person):
    stranger = new_browser(app)
    stranger.login("033995", "admin")
    _, body = _search(stranger, kana=person.name_kana, birth=person.birth_date.isoformat())
    assert body["results"] == []


def test_desk_page_and_menu(as_admin):
    assert "受付（住民の検索）" in as_admin.get("/shelters").get_data(as_text=True)
    assert 'id="desk-search"' in as_admin.get("/shelters/desk").get_data(as_text=True)


def test_a_typo_still_finds_the_person_loosely(as_admin, person):
    family, given = person.name_kana.split("　")
    typo = family + given[:-1] + ("ア" if given[-1] != "ア" else "イ")  # the last letter mistyped
    _, body = _search(as_admin, kana=typo)
    assert person.atena_no in [r["atena_no"] for r in body["results"]]
