"""Security and cache headers on every response, and the session cookie's Secure flag.

- Content-Security-Policy: scripts only from this server (``script-src 'self'``) plus, on pages
  that embed a folium map, that page's generated map script, which carries a per-request nonce
  (``csp_nonce()`` in templates). Inline handlers (``onclick=``) and ``javascript:`` URLs do not
  run: behaviour is declared with data- attributes and wired up by /static/js files. Styles allow
  'unsafe-inline' because Leaflet and folium position map panes with style attributes.
- No page may be framed by another site; only the pages in ``SAME_ORIGIN_FRAME_ENDPOINTS`` may be
  framed by BCL itself (the print station prints certificate PDFs from a hidden frame).
- ``Cache-Control: no-store`` on every response but static files, unless the view chose a cache
  policy of its own (``private``/``public``, e.g. map tiles that hold nothing personal): personal
  data never stays in a shared tablet's browser cache.
- Images come from this server only, unless the page offers 地理院タイル from the internet (a
  municipality turned them on, ``allow_image_host``): then that host too, on that page alone. A page
  about one person never offers them, so its policy would refuse such a tile even if one were asked for.
- The session cookie is Secure when the request came over HTTPS (behind a proxy: ``TRUSTED_PROXIES``)
  and always when ``SESSION_COOKIE_SECURE`` is set, which production does (docs/operations.md).
"""
from __future__ import annotations

import secrets
from urllib.parse import urlsplit

from flask import Flask, g, has_request_context, request
from flask.sessions import SecureCookieSessionInterface

# Responses that BCL itself may show in a frame of its own pages.
SAME_ORIGIN_FRAME_ENDPOINTS = frozenset({"certificates.queue_pdf"})


def csp_nonce() -> str:
    """This request's script nonce (made on first use): ``<script nonce="{{ csp_nonce() }}">``."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(18)
    return g.csp_nonce


def content_security_policy(frame_ancestors: str, nonce: str | None, image_hosts: tuple[str, ...]) -> str:
    """The policy of an HTML page: same-origin everything, the nonce for a generated script,
    base-map tiles from ``image_hosts``."""
    scripts = "'self'" + (f" 'nonce-{nonce}'" if nonce else "")
    return "; ".join((
        "default-src 'self'", f"script-src {scripts}", "style-src 'self' 'unsafe-inline'",
        " ".join(("img-src 'self' data: blob:", *image_hosts)), "connect-src 'self'", "font-src 'self'",
        "object-src 'none'", "base-uri 'self'", "form-action 'self'", f"frame-ancestors {frame_ancestors}"))


def allow_image_host(url_template: str) -> None:
    """Let this page's images come from the host of ``url_template`` too (its policy's img-src)."""
    g.image_hosts = tuple(dict.fromkeys((*g.get("image_hosts", ()), *tile_origins(url_template))))


def tile_origins(url_template: str) -> tuple[str, ...]:
    """The origin of a base-map tile URL template (none when the tiles come from this server)."""
    parts = urlsplit(url_template)
    return (f"{parts.scheme}://{parts.netloc}",) if parts.scheme in ("http", "https") and parts.netloc else ()


class SessionInterface(SecureCookieSessionInterface):
    """Signed-cookie sessions whose cookie is Secure on HTTPS requests even when the setting is off."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"] or (has_request_context() and request.is_secure))


def init_headers(app: Flask) -> None:
    """Set the session interface, the templates' ``csp_nonce()`` and the response headers."""
    app.session_interface = SessionInterface()
    app.jinja_env.globals["csp_nonce"] = csp_nonce

    @app.after_request
    def _security_headers(response):
        framed_by_self = request.endpoint in SAME_ORIGIN_FRAME_ENDPOINTS
        ancestors = "'self'" if framed_by_self else "'none'"
        if response.mimetype == "text/html":
            policy = content_security_policy(ancestors, g.get("csp_nonce"), g.get("image_hosts", ()))
        else:
            policy = f"frame-ancestors {ancestors}"
        response.headers["Content-Security-Policy"] = policy
        response.headers["X-Frame-Options"] = "SAMEORIGIN" if framed_by_self else "DENY"
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "same-origin"
        if request.endpoint != "static" and not (response.cache_control.private or response.cache_control.public):
            response.headers["Cache-Control"] = "no-store"
        return response
