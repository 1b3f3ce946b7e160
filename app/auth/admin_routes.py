"""システム管理: staff accounts and screen permissions (権限設定), for the municipality's administrator."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from wtforms.fields.choices import SelectChoice

from app.auth import bp, rules, services
from app.auth.forms import PasswordResetForm, UserCreateForm, UserEditForm
from app.errors import Conflict, ValidationError
from app.extensions import db
from app.inputs import form_version, typed_integer
from app.tenants import items
from app.web import current_actor, refuse, screen_required


@bp.get("/admin")
@screen_required("admin")
def admin_home():
    return render_template("auth/admin_home.html")


@bp.get("/admin/users")
@screen_required("admin")
def users():
    return render_template("auth/users.html", users=services.list_users(db.session),
                           screens=rules.SCREENS, now=_now())


@bp.route("/admin/users/new", methods=["GET", "POST"])
@screen_required("admin")
def user_new():
    form = UserCreateForm()
    form.role_id.choices = _role_choices()
    if form.validate_on_submit():
        try:
            user = services.create_user(db.session, current_actor(), login_id=form.login_id.data,
                                        display_name=form.display_name.data, department=form.department.data,
                                        role_id=form.role_id.data, password=form.password.data)
        except ValidationError as exc:
            form.login_id.errors.append(refuse(exc).message)
        else:
            flash(f"ユーザ「{user.login_id}」を登録しました。", "success")
            return redirect(url_for("auth.users"))
    return render_template("auth/user_new.html", form=form)


@bp.route("/admin/users/<id:user_id>", methods=["GET", "POST"])
@screen_required("admin")
def user_edit(user_id: int):
    version = form_version(request.form) if request.method == "POST" else None
    user = services.get_user(db.session, user_id)
    form = UserEditForm(obj=user if request.method == "GET" else None)
    form.role_id.choices = _role_choices()
    if request.method == "GET":
        form.screens.data = sorted(user.screens)
    conflict = None
    if form.validate_on_submit():
        if not form.confirm_changes.data:
            form.confirm_changes.errors.append("変更内容を確認し、チェックを入れてから更新してください。")
        else:
            try:
                services.update_user(db.session, current_actor(), user_id, version=version,
                                     display_name=form.display_name.data, department=form.department.data,
                                     role_id=form.role_id.data, screens=form.screens.data,
                                     is_active=form.is_active.data)
            except Conflict as exc:
                conflict = refuse(exc)
            except ValidationError as exc:
                form.screens.errors.append(refuse(exc).message)
            else:
                flash(f"ユーザ「{user.login_id}」を更新しました。", "success")
                return redirect(url_for("auth.users"))
    return render_template("auth/user_edit.html", form=form, user=user, conflict=conflict,
                           role_screens={r.id: r.screens for r in services.list_roles(db.session)})


@bp.post("/admin/users/<id:user_id>/unlock")
@screen_required("admin")
def user_unlock(user_id: int):
    user = services.unlock_user(db.session, current_actor(), user_id)
    flash(f"ユーザ「{user.login_id}」のロックを解除しました。", "success")
    return redirect(url_for("auth.users"))


@bp.route("/admin/users/<id:user_id>/password", methods=["GET", "POST"])
@screen_required("admin")
def user_password_reset(user_id: int):
    """パスワードの再設定: a temporary password the user must change at the next login."""
    return password_reset_page(user_id, back=url_for("auth.user_edit", user_id=user_id), done=url_for("auth.users"))


def password_reset_page(user_id: int, *, back: str, done: str):
    """The reset form for a user the actor's scope shows (the administrator's staff, the operator's
    accounts); a POST resets and goes to ``done``."""
    user = services.get_user(db.session, user_id)
    form = PasswordResetForm()
    status = 422 if request.method == "POST" else 200  # until the reset is done
    if form.validate_on_submit():
        try:
            services.reset_password(db.session, current_actor(), user.id, new=form.new.data,
                                    confirm=form.confirm.data)
        except ValidationError as exc:
            form.new.errors.append(refuse(exc).message)
            status = exc.status
        else:
            flash(f"ユーザ「{user.login_id}」のパスワードを再設定しました。次のログインで本人がパスワードを変更します。",
                  "success")
            return redirect(done)
    return render_template("auth/password_reset.html", form=form, user=user, back=back,
                           min_length=rules.PASSWORD_MIN_LENGTH), status


@bp.route("/admin/roles", methods=["GET", "POST"])
@screen_required("admin")
def roles():
    """The 権限管理 grid: screens down, roles across; one form saves every role."""
    roles_ = services.list_roles(db.session)
    if request.method == "POST":
        try:
            changed = services.update_roles(db.session, current_actor(), _role_changes(roles_))
        except (Conflict, ValidationError) as exc:
            flash(refuse(exc).message, "error")
        else:
            flash(f"{changed}件の権限を更新しました。" if changed else "変更はありませんでした。", "success")
        return redirect(url_for("auth.roles"))
    return render_template("auth/roles.html", roles=roles_, screens=rules.SCREENS)


def _role_changes(roles_) -> list[dict]:
    changes = []
    for role in roles_:
        changes.append({"role_id": role.id, "version": form_version(request.form, f"role-{role.id}-version"),
                        "name": request.form.get(f"role-{role.id}-name", role.name),
                        "screens": request.form.getlist(f"role-{role.id}-screens")})
    return changes


def _role_choices():
    return [SelectChoice(str(r.id), f"{r.code} {r.name}") for r in services.list_roles(db.session)]


def _now():
    from datetime import UTC, datetime

    return datetime.now(UTC)


@bp.route("/admin/items", methods=["GET", "POST"])
@screen_required("admin")
def register_items():
    register = items.VICTIM_REGISTER
    if request.method == "POST":
        keys = request.form.getlist("key")
        try:
            rows = [{"key": key, "label": request.form.get(f"label_{key}", ""),
                     "visible": request.form.get(f"visible_{key}") == "y",
                     "order": typed_integer(request.form.get(f"order_{key}"), "順序", default=0, maximum=99)}
                    for key in keys]
            items.save_items(db.session, current_actor(), register, rows, request.form.get("new_label", ""))
        except ValidationError as exc:
            flash(refuse(exc).message, "error")
        else:
            flash("事項の表示を保存しました。", "success")
        return redirect(url_for("auth.register_items"))
    return render_template("auth/register_items.html", register=register,
                           items=items.register_items(db.session, register))
