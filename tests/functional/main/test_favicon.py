"""The site icon: served at /favicon.ico and linked from every page, so no page logs a 404 for it."""
import re

from tests.helpers.demo import DEMO_CODE


def _fetch(web, path):
    """A file response read and closed (a static file stays open until its response is closed)."""
    response = web.get(path)
    try:
        return response.status_code, response.mimetype, response.data, dict(response.headers)
    finally:
        response.close()


def test_favicon_ico_is_served_without_login_and_cached(web):
    status, mimetype, data, headers = _fetch(web, "/favicon.ico")
    assert status == 200
    assert mimetype == "image/vnd.microsoft.icon"
    assert data[:4] == b"\x00\x00\x01\x00"  # an ICO directory
    assert "max-age=86400" in headers["Cache-Control"] and "no-store" not in headers["Cache-Control"]


def test_pages_link_icons_that_exist(web):
    for path in ("/login", "/verify"):
        page = web.get(path).get_data(as_text=True)
        links = re.findall(r'<link rel="(?:alternate )?icon" href="([^"]+)"', page)
        assert len(links) == 2, (path, links)
        for href in links:
            status, mimetype, _, _ = _fetch(web, href)
            assert status == 200, href
            assert mimetype in ("image/svg+xml", "image/vnd.microsoft.icon"), href


def test_logged_in_pages_link_the_icon(web):
    assert web.login(DEMO_CODE, "admin").status_code == 302
    page = web.get("/").get_data(as_text=True)
    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in page
    assert _fetch(web, "/static/favicon.svg")[2].startswith(b"<svg")
