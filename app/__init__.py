"""BCL: the Flask application factory."""
from __future__ import annotations

from flask import Flask

from app.config import INSTANCE_DIR, Config, TestConfig
from app.db import resolve_url
from app.extensions import csrf, db, login_manager


def create_app(config: Config | None = None) -> Flask:
    """Build the application. ``config`` defaults to ``Config`` (environment variables)."""
    app = Flask(__name__, instance_path=str(INSTANCE_DIR))
    app.config.from_object(config or Config())
    trust_proxies(app)
    app.config["DATABASE_URL_RESOLVED"] = resolve_url(
        app.config["DATABASE_URL"], app.config["DATABASE_NAME"], INSTANCE_DIR)
    if app.config["DATABASE_URL_RESOLVED"]:
        db.configure(app.config["DATABASE_URL_RESOLVED"], echo=app.config["SQL_ECHO"])
    if app.config.get("ARGON2_FAST"):
        from app.auth.passwords import use_fast_hashing

        use_fast_hashing()

    from app.headers import init_headers
    from app.inputs import URL_CONVERTERS
    from app.web import init_web

    app.url_map.converters.update(URL_CONVERTERS)  # record ids in routes: <id:user_id>, <bigid:job_id>
    login_manager.init_app(app)
    init_web(app)
    init_headers(app)
    csrf.init_app(app)  # after init_web, so an idle session is detected before the CSRF check

    from app import discovery
    from app.cli import register_cli

    discovery.init_app(app)  # every domain package's views, APIs, jobs and commands: one naming rule
    _register_template_helpers(app)
    register_cli(app)
    return app


def trust_proxies(app: Flask) -> None:
    """Take the client address from X-Forwarded-For, and the scheme, host and port from
    X-Forwarded-Proto/-Host/-Port, only behind ``TRUSTED_PROXIES`` reverse proxies.

    Anyone can send the headers, so by default they are ignored and the address is the TCP peer's;
    it is what login throttling counts and the audit log records. The scheme decides whether the
    session cookie is Secure (app/headers.py).
    """
    hops = app.config.get("TRUSTED_PROXIES", 0)
    if hops:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops)


def _register_template_helpers(app: Flask) -> None:
    from app import clock, downloads
    from app.auth import rules

    app.jinja_env.filters["wareki"] = clock.format_date
    app.jinja_env.filters["wareki_datetime"] = clock.format_datetime
    app.jinja_env.filters["css_string"] = downloads.css_string
    app.jinja_env.globals["SCREENS"] = rules.SCREENS
    app.jinja_env.globals["roster_marking"] = downloads.internal_marking


__all__ = ["TestConfig", "create_app"]
