"""Glue between Flask and the services: the request's unit of work, login, screen permissions,
idle timeout and error pages. Routes use ``screen_required``, ``current_actor`` and, where they catch a
domain error, ``refuse``."""
from __future__ import annotations

import logging
import time
from functools import wraps
from urllib.parse import urlsplit

from flask import Flask, flash, g, jsonify, make_response, redirect, render_template, request, session, url_for
from flask_login import current_user, logout_user
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DataError
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import HTTPException

from app.audit.services import Actor, record
from app.auth import rules
from app.auth.services import load_session_user
from app.errors import DomainError, InvalidInput, NotFound, PermissionDenied
from app.extensions import db, login_manager
from app.inputs import unstorable_field

# Endpoints reachable without login. Every other route declares a screen (screen_required) or, for
# APIs used by machines, its authentication scheme (``auth_scheme``, e.g. the link API's tokens).
PUBLIC_ENDPOINTS = frozenset({"static", "auth.login", "main.healthz", "main.favicon", "link_api.openapi",
                              "cardauth_api.openapi", "kiosk_api.openapi", "applications_api.openapi",
                              "certificates.verify_openapi", "certificates.verify", "certificates.verify_api"})
# A user whose password someone else chose (registration, an administrator's reset) reaches only these.
PASSWORD_CHANGE_ENDPOINTS = frozenset({"auth.password", "auth.logout"})
PASSWORD_CHANGE_MESSAGE = ("管理者が設定したパスワードのままです。ほかの画面を使う前に、"
                           "ご自分で決めたパスワードに変更してください。")
SESSION_EXPIRED_MESSAGE = ("一定時間操作がなかったため、安全のためログアウトしました。もう一度ログインしてください。"
                           "入力中の内容はこの端末に一時保存されており、ログイン後に復元されます。")


def screen_required(screen: str):
    """Declare and enforce the screen (権限設定の画面) a view belongs to.

    Anonymous users go to the login page; users without the screen get 403 (audited).
    """
    if screen != rules.LOGIN_ONLY and screen not in rules.SCREEN_CODES | {s.code for s in rules.OPERATOR_SCREENS}:
        raise ValueError(f"unknown screen {screen!r}")

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if current_user.must_change_password and request.endpoint not in PASSWORD_CHANGE_ENDPOINTS:
                return _password_change_first()
            if not current_user.can_use(screen):
                raise PermissionDenied(f"「{_screen_name(screen)}」を利用する権限がありません。"
                                       "必要な場合はシステム管理者に依頼してください。", details={"screen": screen})
            return view(*args, **kwargs)

        wrapped.required_screen = screen
        return wrapped

    return decorator


def _password_change_first():
    """Send a user who must change their password to the password screen, which says why (an API
    client: 403)."""
    if wants_json():
        return _render_problem(403, "パスワードの変更が必要です", PASSWORD_CHANGE_MESSAGE, "password_change_required")
    return redirect(url_for("auth.password"))


def _screen_name(code: str) -> str:
    for screen in (*rules.SCREENS, *rules.OPERATOR_SCREENS):
        if screen.code == code:
            return screen.name
    return code


def current_actor() -> Actor:
    """The logged-in user, the API client (its token) or the anonymous visitor, as an audit Actor."""
    if "api_actor" in g:
        return g.api_actor
    ip = request.remote_addr
    if current_user.is_authenticated:
        return Actor(current_user.lg_code, current_user.id, current_user.login_id, ip, request.path)
    return Actor(None, None, "", ip, request.path)


def wants_json() -> bool:
    if request.path.startswith("/ogc/"):
        # The OGC API answers in HTML only when asked (f=html, or a browser preferring HTML).
        return not (request.args.get("f") in ("html", "text/html") or (
            not request.args.get("f") and request.accept_mimetypes.best_match(
                ["application/json", "application/geo+json", "text/html"]) == "text/html"))
    if request.path.startswith("/api/") or request.path == "/healthz":
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json"


def safe_next(target: str | None) -> str | None:
    """Only same-site relative paths are followed after login."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


def init_web(app: Flask) -> None:
    """Register the login loader, the unit-of-work hooks, idle timeout and error handlers."""
    login_manager.login_view = "auth.login"
    login_manager.login_message = "ログインしてください。"
    login_manager.session_protection = "basic"

    @login_manager.user_loader
    def _load_user(session_id: str):
        return load_session_user(db.session, session_id)

    # First of the request hooks: nothing (not even the login or CSRF check) reads a field PostgreSQL
    # would refuse mid-request.
    app.before_request(_refuse_unstorable_input)

    @app.before_request
    def _idle_timeout():
        # A browser fetches its icons by itself: that is not someone using the screen.
        if request.endpoint in ("static", "main.favicon") or not current_user.is_authenticated:
            return None
        now = int(time.time())
        last_seen = session.get("last_seen", now)
        if now - last_seen > app.config["IDLE_TIMEOUT_SECONDS"]:
            return _end_idle_session()
        session["last_seen"] = now
        return None

    app.after_request(_end_unit_of_work)

    @app.teardown_appcontext
    def _remove_session(exc):
        db.session.remove()

    app.register_error_handler(DomainError, _domain_error)
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(DataError, _value_refused_by_database)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _unexpected_error)


# APIs whose views read their JSON body through their own checked reader (app/bodies.py:
# size limit, nesting depth, a schema without control characters, the refusal audited). The request
# check leaves their bodies to it — JSON or form, nothing is read before the endpoint's own size
# limit — and checks their path and query string only.
OWN_BODY_CHECKS = frozenset({"kiosk_api", "cardauth_api"})


def _json_body():
    if not request.is_json:
        return None
    try:
        return request.get_json(silent=True)
    except RecursionError:  # json.loads gives up on very deep nesting with this, not a ValueError
        raise InvalidInput("リクエストの本文（JSON）の入れ子が深すぎます。", code="body_too_deep") from None


# Bodies the request check reads as form fields. Any other body (a link batch's ZIP, a JSON document)
# is not parsed as a form here: reading request.form would refuse a large ZIP with a bare 413 before
# the view that answers it precisely.
FORM_BODIES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})


def _refuse_unstorable_input():
    if request.blueprint in OWN_BODY_CHECKS:
        body, form, files = None, MultiDict(), MultiDict()
    else:
        body = _json_body()
        form, files = (request.form, request.files) if request.mimetype in FORM_BODIES else (MultiDict(), MultiDict())
    field = unstorable_field(request.path, request.view_args, request.args, form, files, body)
    if field is not None:
        raise InvalidInput(f"「{field}」に使用できない文字（NUL などの制御文字）が含まれています。"
                           "その文字を取り除いて、もう一度操作してください。",
                           code="unstorable_character", details={"field": field})


def _end_unit_of_work(response):
    """Commit the request's work when its view answered normally (2xx/3xx), or — after a refusal
    (``refuse``) — what was written since: the refusal's own records and what its answer audits.
    Any other answer (4xx/5xx) rolls back: an error the view answered without refusing leaves nothing."""
    if response.status_code < 400 or g.get("work_refused"):
        db.session.commit()
    else:
        db.session.rollback()
    return response


def refuse(error: DomainError) -> DomainError:
    """Refuse the request's work because of ``error``, caught or not, and return ``error``.

    Everything the request wrote so far is rolled back — two services of one kiosk issue alike —
    then the refusal writes what must outlive it: ``error.after_rollback`` (a kiosk request becoming
    refund_due, a card's failed answer counted), and the audit entry of a record id that is not there
    or a screen refused. What the request does next (reading and auditing the form it shows again)
    runs in a new transaction, committed whatever the answer's status. Views call it first thing
    where they catch a domain error, and build the page they answer with after it."""
    _roll_back_work()
    if error.after_rollback is not None:
        error.after_rollback(db.session)
    if isinstance(error, NotFound) and error.target_type:
        # A wrong or another municipality's record id is recorded: it may be probing.
        record(db.session, current_actor(), "record_not_found", error.target_type, [error.target_id])
    if isinstance(error, PermissionDenied):
        record(db.session, current_actor(), "permission_denied", "screen", [error.details.get("screen", "")])
    return error


def _roll_back_work() -> None:
    """Roll back what the request has written; what it writes from here on is committed."""
    db.session.rollback()
    g.work_refused = True


def _end_idle_session():
    _roll_back_work()  # the request is refused; its session_expired entry is kept
    record(db.session, current_actor(), "session_expired", "user", [current_user.id])
    form_page = _form_page()
    logout_user()
    session.pop("last_seen", None)
    if wants_json():
        return _render_problem(401, "セッションの有効期限が切れました", SESSION_EXPIRED_MESSAGE, "session_expired")
    flash(SESSION_EXPIRED_MESSAGE, "warning")
    return redirect(url_for("auth.login", next=form_page))


def _form_page() -> str:
    """Where to return after a re-login: for a POST, the form page it came from, marked to restore."""
    if request.method == "GET":
        return request.full_path.rstrip("?")
    referrer = urlsplit(request.referrer or "")
    if referrer.netloc == request.host and referrer.path:
        page = referrer.path + (f"?{referrer.query}" if referrer.query else "")
    else:
        page = request.path
    return page + ("&" if "?" in page else "?") + "restore=1"


def _render_problem(status: int, title: str, message: str, code: str, **extra):
    if wants_json():
        body = {"type": "about:blank", "title": title, "status": status, "detail": message, "code": code, **extra}
        response = jsonify(body)
        response.status_code = status
        response.mimetype = "application/problem+json"
        return response
    return render_template("error.html", status=status, title=title, message=message, **extra), status


def _domain_error(error: DomainError):
    refuse(error)
    extra = {"current": error.current} if getattr(error, "current", None) else {}
    if error.details and wants_json():
        extra["details"] = error.details
    response = make_response(_render_problem(error.status, error.title, error.message, error.code, **extra))
    response.headers.update(error.headers())  # Retry-After of a throttled request, say
    return response


def _csrf_error(error: CSRFError):
    db.session.rollback()
    if not current_user.is_authenticated:
        flash(SESSION_EXPIRED_MESSAGE, "warning")
        return redirect(url_for("auth.login", next=_form_page()))
    return _render_problem(400, "フォームの有効期限が切れました",
                           "画面を開き直してから、もう一度操作してください。入力内容はこの端末に一時保存されています。",
                           "csrf_failed")


INTERNAL_ERROR = ("システムエラーが発生しました",
                  "処理は取り消され、データは変更されていません。時間をおいてもう一度お試しください。")
_HTTP_MESSAGES = {
    404: ("ページが見つかりません", "指定されたページは存在しません。メニューから操作し直してください。"),
    405: ("この操作はできません", "この画面ではその操作はできません。"),
    413: ("ファイルが大きすぎます", "アップロードできるファイルの大きさを超えています。"),
    # Flask's answer to an exception outside the view and its handlers (the request's commit failing).
    500: INTERNAL_ERROR,
}
_HTTP_CODES = {404: "not_found", 500: "internal_error"}


def _http_error(error: HTTPException):
    db.session.rollback()
    title, message = _HTTP_MESSAGES.get(error.code, (error.name, error.description or ""))
    # A path that names no record (an id no column can hold, see app/inputs.py) is as "not_found" as
    # a record that is not there; a client need not tell them apart.
    code = _HTTP_CODES.get(error.code, f"http_{error.code}")
    response = make_response(_render_problem(error.code or 500, title, message, code))
    # The exception's own headers carry what its status requires, e.g. Allow on a 405 (RFC 9110 §15.5.6).
    response.headers.update((name, value) for name, value in error.get_headers() if name.lower() != "content-type")
    return response


def _value_refused_by_database(error: DataError):
    # SQLSTATE class 22 (data exception): a value its column cannot hold reached the database.
    # Request values are checked where they are read (app/inputs.py), so this is a missed check:
    # logged as an error to be fixed, yet still answered 400 (nothing was written), not 500.
    db.session.rollback()
    logging.getLogger("bcl").error("value refused by the database (a missed input check): %s", error.orig)
    return _render_problem(400, "入力内容を受け付けられません",
                           "入力された値が扱える範囲を超えています（数値が大きすぎる、文字数が多すぎるなど）。"
                           "入力内容を確認してください。",
                           "value_out_of_range")


def _unexpected_error(error: Exception):
    db.session.rollback()
    logging.getLogger("bcl").exception("unexpected error", exc_info=error)
    return _render_problem(500, *INTERNAL_ERROR, "internal_error")


def chosen_disaster():
    """The disaster chosen at the top of the screen (災害名), or None in normal times (平時)."""
    from app.disasters.services import get_disaster

    disaster_id = session.get("disaster_id")
    return get_disaster(db.session, disaster_id) if disaster_id else None


def disaster_required(back: str):
    """The view works on the chosen disaster (passed as ``disaster``); without one the user is sent
    to ``back`` (an endpoint) and told to choose one."""
    def decorate(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            disaster = chosen_disaster()
            if disaster is None:
                flash("画面上部で災害を選択してください。", "error")
                return redirect(url_for(back))
            return view(*args, disaster=disaster, **kwargs)

        return wrapped

    return decorate
