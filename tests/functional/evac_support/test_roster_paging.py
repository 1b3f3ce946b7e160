"""The 要支援者名簿 screen pages through the whole register with counts (「940 人中 1–50 件目」), finds
people by name or kana and filters by consent, reason and 支援措置, keeps search and filters in every
page link, puts its forms above the rows, and refuses a page that is not there with a 400."""
import re

import pytest
from lxml import html
from sqlalchemy import text

PAGE = 50


@pytest.fixture()
def register(as_admin, system_session):
    as_admin.post("/evac-support/refresh", {}, form_page="/evac-support")
    total = system_session.scalar(text("SELECT count(*) FROM evac_people WHERE removed_at IS NULL"))
    assert total > PAGE  # the test town's register runs to more than one page
    return as_admin, total


def _page(browser, **args):
    response = browser.get("/evac-support", query_string=args)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return response.get_data(as_text=True)


def _names(page: str) -> list[str]:
    return [a.text_content() for a in html.fromstring(page).xpath('//table[@id="evac-table"]/tbody/tr/td[1]/a')]


def test_every_person_is_reachable_page_by_page_in_kana_order(register, system_session):
    browser, total = register
    last = (total + PAGE - 1) // PAGE
    first = _page(browser)
    assert f"{total} 人中 1–{PAGE} 件目" in first and len(_names(first)) == PAGE
    second = _page(browser, page="2")
    assert f"{total} 人中 {PAGE + 1}–{2 * PAGE} 件目" in second
    final = _page(browser, page=str(last))
    assert f"{total} 人中 {(last - 1) * PAGE + 1}–{total} 件目" in final
    assert 'rel="next"' not in final and 'rel="prev"' in final
    listed = [name for number in range(1, last + 1) for name in _names(_page(browser, page=str(number)))]
    expected = system_session.scalars(text("""SELECT r.name FROM evac_people p JOIN residents r ON r.id = p.resident_id
                                              WHERE p.removed_at IS NULL ORDER BY r.name_kana, p.id""")).all()
    assert listed == expected


def test_search_and_filters_narrow_the_list_and_stay_in_the_page_links(register, system_session):
    browser, total = register
    kana = system_session.scalar(text("""SELECT split_part(r.name_kana, '　', 1) FROM evac_people p
                                         JOIN residents r ON r.id = p.resident_id WHERE p.removed_at IS NULL
                                         GROUP BY 1 ORDER BY count(*) DESC LIMIT 1"""))
    hiragana = "".join(chr(ord(c) - 0x60) if "ァ" <= c <= "ヶ" else c for c in kana)
    found = _page(browser, q=hiragana)
    matching = system_session.scalar(text("""SELECT count(*) FROM evac_people p JOIN residents r ON r.id = p.resident_id
                                             WHERE p.removed_at IS NULL AND r.name_kana LIKE :k"""), {"k": f"%{kana}%"})
    assert re.search(rf"{matching} 人(中|<)", found) and 0 < matching < total
    unanswered = _page(browser, consent="未回答", reason="年齢")
    links = [a.get("href") for a in html.fromstring(unanswered).xpath('//nav[@id="register-pager"]//a')]
    assert links and all("consent=%E6%9C%AA%E5%9B%9E%E7%AD%94" in href and "reason=" in href for href in links)
    jump = html.fromstring(unanswered).xpath('//nav[@id="register-pager"]//form')[0]
    assert {(i.get("name"), i.get("value")) for i in jump.xpath(".//input[@type='hidden']")} == {
        ("consent", "未回答"), ("reason", "年齢")}
    system_session.execute(text("""UPDATE residents SET is_protected = true WHERE id IN (
        SELECT resident_id FROM evac_people WHERE removed_at IS NULL ORDER BY id LIMIT 2)"""))
    system_session.flush()
    protected = _page(browser, protected="1")
    rows = html.fromstring(protected).xpath('//table[@id="evac-table"]/tbody/tr')
    assert len(rows) >= 2 and all("提供抑止" in row.text_content() for row in rows)


def test_the_forms_come_before_the_rows(register):
    browser, _ = register
    page = _page(browser)
    table = page.index('id="evac-table"')
    for form in ('id="register-search"', 'id="criteria"', 'id="roster-form"', 'id="refresh"', 'id="register-pager"'):
        assert page.index(form) < table, form


def test_a_consent_recorded_on_a_later_page_returns_to_that_page(register, system_session):
    browser, _ = register
    page = _page(browser, page="2", consent="未回答")
    form = html.fromstring(page).xpath('//table[@id="evac-table"]//form')[0]
    fields = {i.get("name"): i.get("value") for i in form.xpath(".//input") if i.get("name")}
    response = browser.post(form.get("action"), {"consent": "同意", "consent_on": "2026-11-01", "how": "訪問",
                                                 "version": fields["version"], "back": fields["back"]},
                            form_page="/evac-support")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(fields["back"]) and "page=2" in fields["back"]


@pytest.mark.parametrize("args", [{"page": "0"}, {"page": "abc"}, {"page": "-1"}, {"page": "1.5"},
                                  {"page": "9" * 40}, {"consent": "いいえ"}, {"reason": "身長"}])
def test_a_page_number_or_filter_that_is_none_is_a_400_in_japanese(register, args):
    browser, _ = register
    response = browser.get("/evac-support", query_string=args)
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert re.search(r"page は.*整数で指定してください|同意の状況「|事由「", body), body[:500]


def test_a_page_past_the_end_says_which_pages_there_are(register, system_session):
    browser, _ = register
    consented = system_session.scalar(text("SELECT count(*) FROM evac_people WHERE removed_at IS NULL "
                                           "AND consent = '未回答'"))
    pages = max(-(-consented // PAGE), 1)
    page = _page(browser, page="9999", consent="未回答")
    assert _names(page) == []
    assert f"{consented} 人（このページはありません。1–{pages} ページ）" in page
    back = html.fromstring(page).xpath('//nav[@id="register-pager"]//a[@rel="prev"]')[0].get("href")
    assert "consent=" in back and f"page={pages}" in back
