"""Use cases for staff accounts: login, password change, users, roles and screen permissions."""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.audit.services import Actor, record
from app.auth import rules, throttle
from app.auth.models import Role, User
from app.auth.passwords import hash_password, verify_password
from app.db import Scope, get_or_not_found, set_scope
from app.errors import AuthenticationError, TooManyRequests, ValidationError, require_version
from app.tenants.models import Municipality
from app.tenants.rules import normalize_lg_code

# One answer for every refused login (unknown 団体コード, unknown user ID, wrong password, locked or
# disabled account), so the page does not tell which IDs exist or are locked.
LOGIN_FAILED = ("団体コード、ユーザID、またはパスワードが正しくありません。"
                "続けて誤るとしばらくログインできなくなります。ログインできない場合はシステム管理者に連絡してください。")


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Login:
    """A successful login: the user, and what to tell them about failures since their last login."""

    user: User
    notice: str | None


def authenticate(session: Session, lg_code: str | None, login_id: str, password: str, *,
                 actor: Actor, policy: rules.LoginPolicy) -> Login:
    """Check a login; count failures, lock the account at the limit and throttle repeated failures.

    ``lg_code`` empty means an operator (J-LIS) login. The session's scope is set to the tenant
    first, so the lookup itself is bound by row-level security. Every refusal raises the same
    AuthenticationError after one Argon2 verification (against a dummy hash when there is no such
    user), so neither the answer nor its timing tells whether the ID exists or is locked; the reason
    goes to the audit log. Past the throttling limits it raises TooManyRequests before any check.
    A refusal's records (the failure counted towards throttling and the lock, its audit entry) are
    written once the refused request is rolled back (``DomainError.keeping``).
    """
    code = normalize_lg_code(lg_code) if (lg_code or "").strip() else None
    set_scope(session, Scope.tenant(code) if code else Scope.operator())
    actor = Actor(code, None, login_id[:32], actor.ip_address, actor.path)  # as much as the audit log keeps
    attempt = throttle.Attempt.of(actor.ip_address, code, login_id)
    _refuse_if_throttled(session, attempt, actor, policy)
    user = _find_user(session, code, login_id)
    password_ok = verify_password(user.password_hash if user else None, password)
    now = _now()
    refusal = rules.login_refusal(
        user_found=user is not None, municipality_found=code is None or _municipality_exists(session, code),
        is_active=bool(user and user.is_active), is_locked=bool(user and rules.is_locked(user.locked_until, now)),
        password_ok=password_ok)
    if refusal:
        raise AuthenticationError(LOGIN_FAILED, code="login_failed").keeping(
            lambda rolled_back: _register_failure(rolled_back, user, refusal, actor, attempt, now, policy))
    notice = rules.failures_notice(user.failed_logins, user.locked_until is not None)
    _update_login_state(session, user, failed_logins=0, locked_until=None, last_login_at=now)
    record(session, Actor(code, user.id, user.login_id, actor.ip_address, actor.path), "login", "user", [user.id])
    return Login(user, notice)


def _find_user(session: Session, code: str | None, login_id: str) -> User | None:
    if not rules.is_possible_login_id(login_id):
        return None  # cannot exist (and may hold what PostgreSQL refuses, such as NUL)
    where_code = User.lg_code.is_(None) if code is None else User.lg_code == code
    return session.scalars(select(User).where(where_code, User.login_id == login_id)).first()


def _municipality_exists(session: Session, code: str) -> bool:
    return session.get(Municipality, code) is not None


def _refuse_if_throttled(session: Session, attempt: throttle.Attempt, actor: Actor,
                         policy: rules.LoginPolicy) -> None:
    seconds, limits = throttle.wait_seconds(session, attempt, policy)
    if not seconds:
        return
    raise TooManyRequests(
        f"ログインの試行が続いたため、しばらくの間ログインを受け付けません。約{math.ceil(seconds / 60)}分後に"
        "もう一度お試しください。急ぐ場合はシステム管理者に連絡してください。", retry_after=seconds,
        code="login_throttled").keeping(
        lambda rolled_back: record(rolled_back, actor, "login_throttled", "user", [], limits=limits,
                                   retry_after=seconds))


def _register_failure(session: Session, user: User | None, reason: str, actor: Actor,
                      attempt: throttle.Attempt, now: datetime, policy: rules.LoginPolicy) -> None:
    """Count a refused login for throttling and, on a usable account, towards its lock."""
    throttle.record_failure(session, attempt, policy)
    target = [user.id] if user else []
    if reason == "locked":
        record(session, actor, "login_locked", "user", target, reason=reason)
        return
    record(session, actor, "login_failed", "user", target, reason=reason)
    if reason != "wrong_password":
        return
    failures = _update_login_state(session, user, failed_logins=User.failed_logins + 1)
    locked_until = rules.lock_after_failure(failures, now, policy.max_failures, policy.lock_minutes)
    if locked_until:
        # A lock ends the account's sessions too: whoever is guessing may already hold one.
        _update_login_state(session, user, locked_until=locked_until,
                            session_generation=User.session_generation + 1)
        record(session, actor, "login_locked", "user", target, failures=failures)


def _update_login_state(session: Session, user: User, **values) -> int:
    """Write login bookkeeping (failure count, lock, last login, session generation) in one UPDATE.

    This is not an edit of the account, so it bypasses the optimistic lock: concurrent logins of one
    user never conflict, and an administrator's open edit form stays valid. Returns the failure count.
    """
    return session.execute(
        update(User).where(User.id == user.id).values(**values).returning(User.failed_logins),
        execution_options={"synchronize_session": "fetch"}).scalar_one()


def end_sessions(session: Session, actor: Actor, user: User) -> None:
    """Log out: end every session of the user, on every device (a copied cookie included)."""
    _update_login_state(session, user, session_generation=User.session_generation + 1)
    record(session, actor, "logout", "user", [user.id])


def load_session_user(session: Session, session_id: str) -> User | None:
    """The user behind a login session id (``lg_code:user_id:generation``), or None if it ended.

    A session ends when the generation moved on (logout, password change, lock, deactivation), and
    while the account is locked or disabled.
    """
    try:
        lg_part, user_part, generation = session_id.split(":")
        user_id, generation = int(user_part), int(generation)
    except ValueError:
        return None
    set_scope(session, Scope.operator() if lg_part == "-" else Scope.tenant(lg_part))
    user = session.get(User, user_id)
    if (user is None or not user.is_active or user.session_generation != generation
            or rules.is_locked(user.locked_until, _now())):
        return None
    return user


def change_password(session: Session, user: User, current: str, new: str, confirm: str, actor: Actor,
                    policy: rules.LoginPolicy) -> None:
    """Change one's own password; every other session of the user ends.

    The current password is guessed no more easily here than at the login: a wrong one counts as a
    failed login (throttling by address and account, and the account's lock, which ends every session
    of the user, the guesser's included), and past the throttling limits nothing is checked."""
    attempt = throttle.Attempt.of(actor.ip_address, user.lg_code, user.login_id)
    _refuse_if_throttled(session, attempt, actor, policy)
    if not verify_password(user.password_hash, current):
        raise ValidationError("現在のパスワードが正しくありません。", code="current_password_wrong").keeping(
            lambda rolled_back: _register_failure(rolled_back, user, "wrong_password", actor, attempt, _now(), policy))
    _require_confirmed(new, confirm)
    if verify_password(user.password_hash, new):
        raise ValidationError("現在と同じパスワードには変更できません。", code="password_unchanged")
    _require_policy(new, user.login_id)
    user.password_hash = hash_password(new)
    user.password_changed_at = _now()
    user.must_change_password = False
    user.session_generation += 1
    record(session, actor, "password_change", "user", [user.id])
    session.flush()


def _require_confirmed(new: str, confirm: str) -> None:
    if new != confirm:
        raise ValidationError("新しいパスワードと確認用のパスワードが一致しません。", code="password_mismatch")


def _require_policy(new: str, login_id: str) -> None:
    """The password policy (docs/permissions.md "Login"), for every password set."""
    problems = rules.password_problems(new, login_id)
    if problems:
        raise ValidationError(" ".join(problems), code="password_weak")


def reset_password(session: Session, actor: Actor, user_id: int, *, new: str, confirm: str) -> User:
    """Give a user who cannot log in (a forgotten password, a lock) a temporary password.

    Only the accounts the actor's scope shows can be reset (row-level security): a municipality's
    administrator resets its own staff, the operator the operator accounts; anything else is
    NotFound. Nobody resets their own this way: the password screen asks for the current one. The
    user must choose a password of their own at the next login; every session of the user ends, and
    the lock and the account's login throttling are lifted. The audit entry records the reset,
    never the password."""
    user = get_user(session, user_id)
    if user.id == actor.user_id:
        raise ValidationError("自分のパスワードは「パスワード変更」の画面で変更してください。", code="reset_self")
    _require_confirmed(new, confirm)
    _require_policy(new, user.login_id)
    user.password_hash = hash_password(new)
    user.password_changed_at = _now()
    user.must_change_password = True
    user.failed_logins, user.locked_until = 0, None
    user.session_generation += 1
    throttle.forget_account(session, rules.account_key(user.lg_code, user.login_id))
    session.flush()
    record(session, actor, "password_reset", "user", [user.id], login_id=user.login_id)
    return user


def list_operator_accounts(session: Session) -> list[User]:
    """The operator (J-LIS) accounts, in the operator's scope (a municipality's scope shows none)."""
    return list(session.scalars(select(User).where(User.lg_code.is_(None)).order_by(User.login_id)))


# -- administration (a municipality's administrator) -----------------------------------------

def list_users(session: Session) -> list[User]:
    return list(session.scalars(select(User).order_by(User.login_id)))


def list_roles(session: Session) -> list[Role]:
    return list(session.scalars(select(Role).order_by(Role.code)))


def get_user(session: Session, user_id: int) -> User:
    """A user of the actor's municipality; anything else (another tenant's id) is NotFound."""
    return get_or_not_found(session, User, user_id, "指定されたユーザは見つかりません。", "user")


def get_role(session: Session, role_id: int) -> Role:
    return get_or_not_found(session, Role, role_id, "指定された権限は見つかりません。", "role")


def create_user(session: Session, actor: Actor, *, login_id: str, display_name: str, department: str,
                role_id: int, password: str) -> User:
    """Register a staff account in the actor's municipality."""
    login_id = login_id.strip()
    if not rules.is_possible_login_id(login_id):
        raise ValidationError("ユーザIDは半角英数字（- _ . を含めてよい）で入力してください。", code="login_id_format")
    if session.scalars(select(User.id).where(User.login_id == login_id)).first():
        raise ValidationError(f"ユーザID「{login_id}」は既に使われています。", code="login_id_taken")
    _require_policy(password, login_id)
    role = get_role(session, role_id)
    # The administrator chose this password: the user replaces it at the first login.
    user = User(lg_code=actor.lg_code, login_id=login_id, display_name=display_name.strip(),
                department=department.strip(), role=role, password_hash=hash_password(password),
                password_changed_at=_now(), must_change_password=True)
    session.add(user)
    session.flush()
    record(session, actor, "user_create", "user", [user.id], login_id=login_id, role=role.code)
    return user


def update_user(session: Session, actor: Actor, user_id: int, *, version: int, display_name: str,
                department: str, role_id: int, screens: list[str], is_active: bool) -> User:
    """Change a user's role, per-user screens and state, refusing a stale form (optimistic lock)."""
    user = get_user(session, user_id)
    _require_version(user.version, version, "ユーザ",
                   {"表示名": user.display_name, "権限": user.role.name if user.role else ""})
    if user.id == actor.user_id and not is_active:
        raise ValidationError("自分自身を無効にすることはできません。", code="self_deactivate")
    role = get_role(session, role_id)
    granted, revoked = rules.user_overrides(role.screens, screens)
    if user.id == actor.user_id and "admin" not in rules.effective_screens(role.screens, granted, revoked):
        raise ValidationError("自分自身からシステム管理の権限を外すことはできません。", code="self_lockout")
    before = sorted(user.screens)
    user.display_name, user.department, user.role = display_name.strip(), department.strip(), role
    user.granted_screens, user.revoked_screens = granted, revoked
    if user.is_active and not is_active:
        user.session_generation += 1
    user.is_active = is_active
    session.flush()
    record(session, actor, "user_update", "user", [user.id], role=role.code, screens_before=before,
           screens_after=sorted(user.screens), is_active=is_active)
    return user


def unlock_user(session: Session, actor: Actor, user_id: int) -> User:
    """Lift a user's lock, and the login throttling of the account (not of any address)."""
    user = get_user(session, user_id)
    user.failed_logins = 0
    user.locked_until = None
    throttle.forget_account(session, rules.account_key(user.lg_code, user.login_id))
    session.flush()
    record(session, actor, "user_unlock", "user", [user.id])
    return user


def update_role(session: Session, actor: Actor, role_id: int, *, version: int, name: str, screens: list[str]) -> Role:
    """Set the screens of a role (権限); unknown screen codes are refused."""
    role = get_role(session, role_id)
    _require_version(role.version, version, "権限", {"名称": role.name, "画面": "、".join(role.screens)})
    unknown = set(screens) - rules.SCREEN_CODES
    if unknown:
        raise ValidationError(f"不明な画面コードです: {', '.join(sorted(unknown))}", code="screen_unknown")
    if not name.strip():
        raise ValidationError("権限の名称を入力してください。", code="role_name_missing")
    before = list(role.screens)
    role.name, role.screens = name.strip(), sorted(screens)
    session.flush()
    record(session, actor, "role_update", "role", [role.id], code=role.code, screens_before=before,
           screens_after=role.screens)
    return role


def update_roles(session: Session, actor: Actor, changes: list[dict]) -> int:
    """Apply the 権限管理 grid: each change is role_id, version, name, screens. Returns how many changed.

    Refused as a whole when it would take システム管理 away from the administrator saving it.
    """
    changed = 0
    for change in changes:
        role = get_role(session, change["role_id"])
        if role.name == change["name"].strip() and sorted(role.screens) == sorted(change["screens"]):
            continue
        update_role(session, actor, change["role_id"], version=change["version"], name=change["name"],
                    screens=change["screens"])
        changed += 1
    me = session.get(User, actor.user_id) if actor.user_id else None
    if me is not None and "admin" not in me.screens:
        raise ValidationError("この変更を保存すると、あなた自身がシステム管理を使えなくなるため保存できません。",
                              code="self_lockout")
    return changed


def _require_version(stored: int, submitted: int, what: str, current_values: dict) -> None:
    require_version(stored, submitted,
                    f"この{what}は他の利用者が先に更新しました。最新の内容を確認してから、もう一度更新してください。",
                    current_values)
