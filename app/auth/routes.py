"""Login, logout and own password change."""
from __future__ import annotations

import time

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user

from app.auth import bp, rules, services
from app.auth.forms import LoginForm, PasswordChangeForm
from app.errors import AuthenticationError, TooManyRequests, ValidationError
from app.extensions import db
from app.web import current_actor, refuse, safe_next, screen_required


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = LoginForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    error, status, headers = None, 200, {}
    if form.validate_on_submit():
        try:
            login = services.authenticate(
                db.session, form.lg_code.data, form.login_id.data.strip(), form.password.data,
                actor=current_actor(), policy=rules.LoginPolicy.from_settings(current_app.config))
        except TooManyRequests as exc:
            error, status, headers = refuse(exc).message, exc.status, exc.headers()
        except (AuthenticationError, ValidationError) as exc:
            error, status = refuse(exc).message, 401
        else:
            return _start_session(login, form.next.data)
    return render_template("auth/login.html", form=form, error=error), status, headers


def _start_session(login: services.Login, next_url: str):
    session.clear()  # a new session id for the new login (no fixation)
    session.permanent = True
    login_user(login.user, remember=False)
    session["last_seen"] = int(time.time())
    if login.notice:
        flash(login.notice, "warning")
    if login.user.must_change_password:
        return redirect(url_for("auth.password"))  # which says why
    return redirect(safe_next(next_url) or url_for("main.index"))


@bp.post("/logout")
@screen_required(rules.LOGIN_ONLY)
def logout():
    services.end_sessions(db.session, current_actor(), current_user._get_current_object())
    logout_user()
    session.clear()
    flash("ログアウトしました。このユーザIDでログインしていた他の端末も、ログアウトしました。", "info")
    return redirect(url_for("auth.login"))


@bp.route("/password", methods=["GET", "POST"])
@screen_required(rules.LOGIN_ONLY)
def password():
    form = PasswordChangeForm()
    status, headers = 200, {}
    if form.validate_on_submit():
        try:
            services.change_password(db.session, current_user, form.current.data, form.new.data,
                                     form.confirm.data, current_actor(),
                                     rules.LoginPolicy.from_settings(current_app.config))
        except TooManyRequests as exc:
            form.current.errors.append(refuse(exc).message)
            status, headers = exc.status, exc.headers()
        except ValidationError as exc:
            form.new.errors.append(refuse(exc).message)
        else:
            # The session generation changed: log in again under the new one, keep this session.
            login_user(current_user._get_current_object(), remember=False)
            flash("パスワードを変更しました。他の端末のログインは終了しました。", "success")
            return redirect(url_for("main.index"))
    return render_template("auth/password.html", form=form, min_length=rules.PASSWORD_MIN_LENGTH,
                           required=current_user.must_change_password), status, headers
