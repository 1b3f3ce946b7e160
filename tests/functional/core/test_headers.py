"""Security headers on every response: the Content-Security-Policy (no inline script but a map's
nonce-carrying generated script), framing, MIME sniffing, referrer, no-store for personal data, and
the session cookie's Secure flag over HTTPS (directly or behind a proxy)."""
import os
import re
import subprocess
import sys

import pytest
from flask import Flask, request, session

from app.config import PROJECT_ROOT
from tests.helpers.demo import DEMO_CODE
from tests.helpers.web import new_browser

INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)([^>]*)>", re.I)
INLINE_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.I)


def _directives(response) -> dict[str, str]:
    policy = response.headers["Content-Security-Policy"]
    return {d.split(" ", 1)[0]: d.split(" ", 1)[1] if " " in d else "" for d in policy.split("; ")}


@pytest.fixture()
def admin(app, db):
    browser = new_browser(app)
    assert browser.login(DEMO_CODE, "admin").status_code == 302
    return browser


def _html_pages(app, browser):
    for rule in app.url_map.iter_rules():
        if "GET" in rule.methods and not rule.arguments and rule.endpoint != "static":
            response = browser.get(rule.rule)
            if response.mimetype == "text/html":
                yield rule.rule, response


def test_every_page_forbids_inline_script_framing_and_sniffing(app, admin):
    pages = [*_html_pages(app, admin), ("/login", new_browser(app).get("/login"))]
    assert len(pages) > 40
    for path, response in pages:
        directives = _directives(response)
        assert directives["script-src"].split(" ")[0] == "'self'", path
        assert "unsafe-inline" not in directives["script-src"] and "unsafe-eval" not in directives["script-src"]
        assert directives["frame-ancestors"] == "'none'" and directives["object-src"] == "'none'", path
        assert directives["default-src"] == "'self'" and directives["connect-src"] == "'self'"
        assert response.headers["X-Frame-Options"] == "DENY"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "same-origin"
        html = response.get_data(as_text=True)
        assert not INLINE_HANDLER.search(html), (path, INLINE_HANDLER.search(html).group(0))
        assert "javascript:" not in html, path
        nonce = re.search(r"'nonce-([^']+)'", directives["script-src"])
        for attributes in INLINE_SCRIPT.findall(html):
            runs_as_script = "application/json" not in attributes
            assert not runs_as_script or (nonce and f'nonce="{nonce.group(1)}"' in attributes), (path, attributes)


def test_the_map_script_runs_by_a_fresh_nonce_per_request(admin):
    first, second = admin.get("/map"), admin.get("/map")
    nonces = [re.search(r"'nonce-([^']+)'", _directives(r)["script-src"]).group(1) for r in (first, second)]
    assert nonces[0] != nonces[1] and len(nonces[0]) >= 22
    assert f'<script nonce="{nonces[0]}">' in first.get_data(as_text=True)
    assert _directives(first)["img-src"] == "'self' data: blob:"  # the server's own base map, no outside host


def test_only_the_print_stations_pdf_may_be_framed_and_only_by_bcl(admin):
    response = admin.get("/certificates/queue/2147483647/certificate.pdf")  # the route, a record of no one
    assert _directives(response)["frame-ancestors"] == "'self'"
    assert response.headers["X-Frame-Options"] == "SAMEORIGIN"
    assert admin.get("/certificates/queue/printer").headers["X-Frame-Options"] == "DENY"


def test_downloads_and_personal_responses_are_not_stored(admin, db):
    for path in ("/", "/admin/audit", "/admin/audit.csv", "/map/layers/shelters.geojson",
                 "/shelters/desk/search.json?kana=ア"):
        response = admin.get(path)
        assert response.status_code == 200, path
        assert response.headers["Cache-Control"] == "no-store", path
    with admin.get("/static/js/app.js") as static:
        assert "no-store" not in static.headers.get("Cache-Control", "")


def test_certificate_pdfs_and_verification_answers_are_not_stored(app, admin, system_session):
    """Both set no Cache-Control of their own: app/headers.py makes them no-store as every response."""
    from sqlalchemy import text

    atena_no = system_session.execute(text(
        "SELECT atena_no FROM residents WHERE lg_code = :lg AND status = '住登内' AND NOT is_protected "
        "AND is_household_head ORDER BY id LIMIT 1"), {"lg": DEMO_CODE}).scalar_one()
    issued = admin.post(f"/certificates/counter/{atena_no}/issue", {"document_type": "住民票の写し"},
                        form_page=f"/certificates/counter/{atena_no}")
    assert issued.status_code == 302, issued.status_code
    pdf = admin.get(issued.headers["Location"])
    assert pdf.mimetype == "application/pdf" and pdf.headers["Cache-Control"] == "no-store"
    code = system_session.execute(text("SELECT verification_code FROM issued_certificates ORDER BY id DESC LIMIT 1")
                                  ).scalar_one()
    verified = new_browser(app).get(f"/api/verify/v1/{code}")
    assert verified.status_code == 200 and verified.headers["Cache-Control"] == "no-store"


def _cookie(response) -> str:
    return next(v for k, v in response.headers.items() if k == "Set-Cookie" and v.startswith("bcl_session="))


def test_the_session_cookie_is_secure_over_https(app, db):
    browser = new_browser(app)
    token = browser.csrf_token()
    plain = browser.client.post("/login", data={"csrf_token": token, "lg_code": DEMO_CODE, "login_id": "admin",
                                                "password": "bcl-demo-2026"})
    assert plain.status_code == 302 and "Secure" not in _cookie(plain)
    tls = new_browser(app)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"',
                      tls.client.get("/login", base_url="https://localhost").get_data(as_text=True)).group(1)
    secure = tls.client.post("/login", base_url="https://localhost",
                             data={"csrf_token": token, "lg_code": DEMO_CODE, "login_id": "admin",
                                   "password": "bcl-demo-2026"})
    assert secure.status_code == 302 and "; Secure" in _cookie(secure)


def test_behind_a_trusted_proxy_https_and_the_client_address_come_from_the_forwarded_headers():
    from app import trust_proxies
    from app.headers import init_headers

    app = Flask(__name__)
    app.config.update(SECRET_KEY="x", SESSION_COOKIE_SECURE=False, TRUSTED_PROXIES=1, BASEMAP_GSI_URL="")
    trust_proxies(app)
    init_headers(app)

    @app.get("/")
    def index():
        session["seen"] = True
        return request.remote_addr

    forwarded = app.test_client().get("/", headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.7"})
    assert forwarded.get_data(as_text=True) == "203.0.113.7"
    assert "; Secure" in forwarded.headers["Set-Cookie"]
    assert "Secure" not in app.test_client().get("/").headers["Set-Cookie"]


def test_production_always_sets_the_secure_cookie_and_https_urls():
    env = {k: v for k, v in os.environ.items() if k not in ("SESSION_COOKIE_SECURE", "PREFERRED_URL_SCHEME")}
    code = "from app.config import Config; print(Config.SESSION_COOKIE_SECURE, Config.PREFERRED_URL_SCHEME)"
    answers = {}
    for bcl_env in ("production", ""):
        result = subprocess.run([sys.executable, "-c", code], env=env | {"BCL_ENV": bcl_env}, cwd=PROJECT_ROOT,
                                capture_output=True, text=True, check=True)
        answers[bcl_env] = result.stdout.split()
    assert answers == {"production": ["True", "https"], "": ["False", "http"]}
