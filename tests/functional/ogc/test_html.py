"""OGC API – Features as HTML pages (requirement class html): f=html or a browser's Accept gives
Japanese pages in the house layout with links between them, items as a table with paging and a
map; GIS clients asking for JSON get exactly the JSON; a staff session may browse its own tenant."""
import json
import re
from html import unescape

import pytest
from sqlalchemy import text

from app.audit.models import AuditEntry
from tests.factories import fill_register, issue_token
from tests.helpers.demo import DEMO_CODE, SECOND_CODE
from tests.helpers.web import bearer, new_browser

BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
HTML_CLASS = "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/html"


@pytest.fixture()
def token(db):
    return issue_token(db, DEMO_CODE, "admin")


def _html(response) -> str:
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.mimetype == "text/html"
    return unescape(response.get_data(as_text=True))


def _links(page: str) -> list[str]:
    return re.findall(r'href="([^"]+)"', page)


def _map_features(page: str) -> dict:
    return json.loads(re.search(r'<script type="application/json" id="ogc-features">(.*?)</script>', page,
                                re.S).group(1))


def test_every_resource_has_an_html_page_linked_to_the_next(web, token):
    auth = bearer(token)
    landing = _html(web.client.get("/ogc/?f=html", headers=auth))
    assert "<html lang=\"ja\">" in landing and "BCL 地図レイヤ（" in landing and "桜ヶ丘町" in landing
    assert "/ogc/collections?f=html" in landing and "/ogc/conformance?f=html" in landing
    assert "/ogc/?f=json" in landing  # the same resource as JSON

    conformance = _html(web.client.get("/ogc/conformance?f=html", headers=auth))
    assert HTML_CLASS in conformance and "適合クラス" in conformance

    collections = _html(web.client.get("/ogc/collections?f=html", headers=auth))
    assert "コレクション一覧" in collections and "避難所・避難場所" in collections
    assert "http://localhost/ogc/collections/shelters?f=html" in _links(collections)
    assert "http://localhost/ogc/collections/shelters/items?f=html" in _links(collections)

    collection = _html(web.client.get("/ogc/collections/shelters?f=html", headers=auth))
    assert "避難所・避難場所" in collection and "地物を表と地図で見る" in collection
    assert "http://localhost/ogc/collections/shelters/items?f=html" in _links(collection)
    assert "/ogc/collections?f=html" in " ".join(_links(collection))  # back to the list


def test_items_page_is_a_table_with_paging_and_a_map_of_its_features(web, token, system_session):
    auth = bearer(token)
    total = system_session.scalar(text("SELECT count(*) FROM shelters WHERE lg_code = :c"), {"c": DEMO_CODE})
    assert total > 3
    page = _html(web.client.get("/ogc/collections/shelters/items?f=html&limit=3", headers=auth))
    rows = re.findall(r'<tr data-id="(\d+)">', page)
    json_page = web.client.get("/ogc/collections/shelters/items?limit=3", headers=auth).get_json()
    assert rows == [str(f["id"]) for f in json_page["features"]]
    assert f"全 {total} 件中 1〜3 件目" in page
    for name in ("名称", "種別", "所在地", "想定収容人数"):
        assert f"<th>{name}</th>" in page
    assert json_page["features"][0]["properties"]["名称"] in page
    # The map: vendored Leaflet, the page's features embedded for it.
    assert "/static/vendor/leaflet/leaflet.js" in page and "/static/js/ogc_map.js" in page
    assert "unpkg" not in page and "cdn" not in page.lower()
    assert [f["id"] for f in _map_features(page)["features"]] == [f["id"] for f in json_page["features"]]
    # Paging links stay in HTML and lead to the next page, then back.
    next_href = re.search(r'rel="next" href="([^"]+)"', page).group(1)
    assert "f=html" in next_href and "offset=3" in next_href and 'rel="prev"' not in page
    second = _html(web.client.get(next_href, headers=auth))
    assert f"全 {total} 件中 4〜" in second and 'rel="prev"' in second
    assert not set(re.findall(r'<tr data-id="(\d+)">', second)) & set(rows)
    # Each row links to the feature's own page, with its properties and a map of it.
    item_href = re.search(r'<td><a href="([^"]+)">' + rows[0], page).group(1)
    item = _html(web.client.get(item_href, headers=auth))
    assert json_page["features"][0]["properties"]["名称"] in item
    assert [f["id"] for f in _map_features(item)["features"]] == [int(rows[0])]


def test_a_browser_gets_html_and_gis_clients_get_the_same_json_as_before(web, token):
    auth = bearer(token)
    html = web.client.get("/ogc/collections", headers=auth | {"Accept": BROWSER_ACCEPT})
    assert html.mimetype == "text/html"
    for accept in (None, "application/json", "application/geo+json, application/json;q=0.9", "*/*"):
        headers = auth | ({"Accept": accept} if accept else {})
        plain = web.client.get("/ogc/collections/shelters/items?limit=2", headers=headers)
        assert plain.mimetype == "application/geo+json", accept
        assert plain.get_json()["type"] == "FeatureCollection"
    # f=json wins over a browser's Accept.
    forced = web.client.get("/ogc/collections?f=json", headers=auth | {"Accept": BROWSER_ACCEPT})
    assert forced.mimetype == "application/json" and "collections" in forced.get_json()
    assert HTML_CLASS in web.client.get("/ogc/conformance", headers=auth).get_json()["conformsTo"]


def test_html_needs_the_token_or_a_staff_session_of_the_tenant(app, web, as_admin, system_session):
    anonymous = new_browser(app)
    refused = anonymous.client.get("/ogc/collections?f=html")
    assert refused.status_code == 302 and "/login" in refused.headers["Location"]
    assert anonymous.client.get("/ogc/collections").status_code == 401  # a GIS client without a token
    bad = anonymous.client.get("/ogc/collections?f=html", headers={"Authorization": "Bearer nonsense"})
    assert bad.status_code == 401 and bad.mimetype == "text/html"  # an HTML error page for HTML
    # A logged-in staff member browses their own municipality, audited as themselves.
    page = _html(as_admin.get("/ogc/collections/shelters/items?f=html"))
    ids = set(re.findall(r'<tr data-id="(\d+)">', page))
    own = {str(i) for i in system_session.scalars(text("SELECT id FROM shelters WHERE lg_code = :c"),
                                                  {"c": DEMO_CODE})}
    assert ids and ids <= own
    entry = system_session.query(AuditEntry).filter(AuditEntry.action == "ogc_items").order_by(
        AuditEntry.id.desc()).first()
    assert entry.login_id == "admin" and entry.lg_code == DEMO_CODE
    # The layer download screen links to the pages.
    assert "/ogc/collections/shelters/items?f=html" in as_admin.get("/gis/layers").get_data(as_text=True)
    # The session works for JSON too (the same user), in its own municipality only.
    assert as_admin.get("/ogc/collections").mimetype == "application/json"
    neighbour = new_browser(app)
    neighbour.login(SECOND_CODE, "admin")
    theirs = set(re.findall(r'<tr data-id="(\d+)">', _html(neighbour.get("/ogc/collections/shelters/items?f=html"))))
    assert not theirs & own


def test_a_staff_session_without_the_map_screen_is_refused(app, db, system_session):
    system_session.execute(text("UPDATE users SET revoked_screens = '{map}' WHERE login_id = 'fukushi' "
                                "AND lg_code = :c"), {"c": DEMO_CODE})
    system_session.commit()
    welfare = new_browser(app)
    assert welfare.login(DEMO_CODE, "fukushi").status_code == 302
    refused = welfare.get("/ogc/collections?f=html")
    assert refused.status_code == 403 and refused.mimetype == "text/html" and "地図" in refused.get_data(as_text=True)


def test_people_pages_leave_out_protected_people(db, web, token, system_session):
    fill_register(db, DEMO_CODE)
    victim = system_session.execute(text("""
        SELECT p.id, r.name FROM evac_people p JOIN residents r ON r.id = p.resident_id
        WHERE p.lg_code = :c AND p.removed_at IS NULL AND r.geom IS NOT NULL AND NOT r.is_protected
        ORDER BY p.id LIMIT 1"""), {"c": DEMO_CODE}).one()
    before = _html(web.client.get("/ogc/collections/evac-people/items?f=html&limit=1000", headers=bearer(token)))
    assert str(victim.id) in re.findall(r'<tr data-id="(\d+)">', before) and victim.name in before
    system_session.execute(text("UPDATE residents SET is_protected = true WHERE id = "
                                "(SELECT resident_id FROM evac_people WHERE id = :p)"), {"p": victim.id})
    system_session.commit()
    page = _html(web.client.get("/ogc/collections/evac-people/items?f=html&limit=1000", headers=bearer(token)))
    ids = {int(i) for i in re.findall(r'<tr data-id="(\d+)">', page)}
    assert ids and victim.id not in ids and victim.name not in page
    assert victim.id not in {f["id"] for f in _map_features(page)["features"]}
    missing = web.client.get(f"/ogc/collections/evac-people/items/{victim.id}?f=html", headers=bearer(token))
    assert missing.status_code == 404 and missing.mimetype == "text/html"
