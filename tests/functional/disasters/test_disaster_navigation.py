"""The disaster's page is reachable where staff work: the 災害一覧, the top bar's 災害の詳細, and the
current disaster named (and linked, for those who may open it) on the work menus."""
import re

from tests.helpers.demo import DEMO_CODE
from tests.helpers.web import new_browser


def _register(browser, name="令和8年桜ヶ丘地震（導線）") -> int:
    response = browser.post("/disasters/new", {"name": name, "kind": "地震", "started_on": "2026-11-20"})
    assert response.status_code == 302
    return int(re.search(r"/disasters/(\d+)", response.headers["Location"]).group(1))


def test_disaster_list_links_every_disaster_and_marks_the_chosen_one(as_admin):
    first = _register(as_admin, "令和8年桜ヶ丘豪雨（導線）")
    second = _register(as_admin)
    page = as_admin.get("/disasters").get_data(as_text=True)
    assert f'href="/disasters/{first}"' in page and f'href="/disasters/{second}"' in page
    chosen_row = page.split(f'href="/disasters/{second}"')[1].split("</tr>")[0]
    assert "選択中" in chosen_row
    assert 'href="/disasters/new"' in page


def test_side_menu_top_bar_and_menus_lead_to_the_chosen_disaster(as_admin):
    disaster_id = _register(as_admin)
    home = as_admin.get("/").get_data(as_text=True)
    assert 'id="side-disasters"' in home and 'href="/disasters"' in home
    assert re.search(rf'id="disaster-detail-link" href="/disasters/{disaster_id}"', home)
    for path in ("/", "/victims", "/shelters"):
        banner = as_admin.get(path).get_data(as_text=True).split('id="current-disaster"')[1].split("</p>")[0]
        assert f'href="/disasters/{disaster_id}"' in banner and "令和8年桜ヶ丘地震（導線）" in banner, path
    surveys = as_admin.get("/damage/surveys").get_data(as_text=True)
    assert f'<h1>被害認定調査（<a class="disaster-link" href="/disasters/{disaster_id}">' in surveys


def test_without_the_disaster_screen_the_name_is_shown_but_not_linked(app, as_admin):
    disaster_id = _register(as_admin)
    welfare = new_browser(app)
    assert welfare.login(DEMO_CODE, "fukushi").status_code == 302
    welfare.post("/disasters/select", {"disaster_id": str(disaster_id)}, form_page="/")
    page = welfare.get("/shelters").get_data(as_text=True)
    banner = page.split('id="current-disaster"')[1].split("</p>")[0]
    assert "令和8年桜ヶ丘地震（導線）" in banner and "href" not in banner
    assert 'id="disaster-detail-link"' not in page and 'id="side-disasters"' not in page
    assert welfare.get("/disasters").status_code == 403


def test_without_a_chosen_disaster_the_menus_say_how_to_choose_one(as_admin):
    banner = as_admin.get("/victims").get_data(as_text=True).split('id="current-disaster"')[1].split("</p>")[0]
    assert "災害が選択されていません" in banner
    assert 'id="disaster-detail-link"' not in as_admin.get("/").get_data(as_text=True)


def test_disaster_page_leads_back_to_the_list(as_admin):
    disaster_id = _register(as_admin)
    assert 'id="disasters-list-link"' in as_admin.get(f"/disasters/{disaster_id}").get_data(as_text=True)
