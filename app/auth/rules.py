"""Pure rules for staff accounts: the screen catalogue, effective permissions, passwords, lockout,
login throttling."""
from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from app.clock import require_aware


@dataclass(frozen=True)
class Screen:
    code: str
    name: str
    group: str
    description: str = ""


# The screens (menus) a municipality's administrator can allow per role and per user ID
# (権限設定). Every staff route names one of these codes; the main menu is always allowed.
SCREENS: tuple[Screen, ...] = (
    Screen("victims", "被災者支援システム", "被災者支援", "被災者台帳・被害認定調査・罹災証明書・支援制度"),
    Screen("shelters", "避難所関連システム", "被災者支援", "避難所の開設・避難者の受付・入退所"),
    Screen("evac_support", "避難行動要支援者関連システム", "被災者支援",
           "避難行動要支援者名簿・個別避難計画・安否確認"),
    Screen("disaster_register", "災害名新規登録", "被災者支援", "災害の登録・編集"),
    Screen("damage_review", "被害認定の確定", "被災者支援", "被害認定調査の判定を確定する（調査者以外の職員）"),
    Screen("search", "横断検索", "共通機能", "被災者台帳・避難者名簿・要支援者名簿の横断検索"),
    Screen("map", "地図", "共通機能", "避難所・要支援者・被害状況・ハザードの地図"),
    Screen("hazard", "ハザード・空間分析", "共通機能",
           "ハザードレイヤの取込、区域内の住民・要支援者・建物・避難所の抽出"),
    Screen("residents", "住民情報連携（副本）", "管理機能", "住民情報データ連携・世代管理・リカバリ"),
    Screen("certificates", "証明書交付", "管理機能", "窓口交付・らくらく窓口・交付統計"),
    Screen("admin", "システム管理", "管理機能", "ユーザ・権限設定・事項の表示切替"),
    Screen("audit", "監査ログ", "管理機能", "個人情報へのアクセス記録の閲覧・CSV出力"),
)
SCREEN_CODES = frozenset(s.code for s in SCREENS)
SCREENS_BY_CODE = {s.code: s for s in SCREENS}

# Operator (J-LIS) staff use their own screens and never a municipality's.
OPERATOR_SCREENS: tuple[Screen, ...] = (
    Screen("operator", "運営管理（J-LIS）", "運営", "参加団体・集計"),
)

# Screens that need only a login (main menu, own password, logout).
LOGIN_ONLY = "login_only"

# The four default roles (権限 01–04) each new municipality starts with.
DEFAULT_ROLES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("01", "システム管理者", tuple(s.code for s in SCREENS)),
    ("02", "防災担当", ("victims", "shelters", "evac_support", "disaster_register", "damage_review", "search", "map",
                    "hazard")),
    ("03", "福祉担当", ("evac_support", "shelters", "search", "map")),
    ("04", "避難所担当", ("shelters", "map")),
)


def effective_screens(role_screens, granted, revoked) -> frozenset[str]:
    """A user's screens: the role's, plus those granted to the user ID, minus those revoked."""
    return frozenset((set(role_screens or ()) | set(granted or ())) - set(revoked or ())) & SCREEN_CODES


def user_overrides(role_screens, wanted) -> tuple[list[str], list[str]]:
    """Given the screens an administrator ticked for a user, the grants and revocations to store."""
    role, wanted = set(role_screens or ()), set(wanted or ()) & SCREEN_CODES
    return sorted(wanted - role), sorted(role - wanted)


LOGIN_ID_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,31}")


def is_possible_login_id(login_id: str) -> bool:
    """Whether ``login_id`` has the form of a user ID (half-width letters, digits and - _ .)."""
    return LOGIN_ID_PATTERN.fullmatch(login_id) is not None


PASSWORD_MIN_LENGTH = 10


def password_problems(password: str, login_id: str = "") -> list[str]:
    """Why a new password is not acceptable (empty list: acceptable)."""
    problems = []
    if len(password) < PASSWORD_MIN_LENGTH:
        problems.append(f"パスワードは{PASSWORD_MIN_LENGTH}文字以上にしてください。")
    classes = sum(bool(re.search(p, password)) for p in (r"[A-Za-z]", r"[0-9]", r"[^A-Za-z0-9]"))
    if classes < 2:
        problems.append("英字・数字・記号のうち2種類以上を含めてください。")
    if login_id and login_id.lower() in password.lower():
        problems.append("ユーザIDを含むパスワードは使えません。")
    return problems


def lock_after_failure(failures: int, now: datetime, max_failures: int, lock_minutes: int) -> datetime | None:
    """When ``failures`` consecutive failures reach the limit, the time the lock ends (``now``
    timezone-aware)."""
    require_aware(now, "now")
    if failures >= max_failures:
        return now + timedelta(minutes=lock_minutes)
    return None


def is_locked(locked_until: datetime | None, now: datetime) -> bool:
    """Whether a lock until ``locked_until`` still holds at ``now`` (timezone-aware)."""
    require_aware(now, "now")
    return locked_until is not None and locked_until > now


# -- login ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class LoginPolicy:
    """Lockout and throttling limits (settings LOGIN_* in app/config.py)."""

    max_failures: int = 5
    lock_minutes: int = 30
    throttle_window_seconds: int = 600
    throttle_per_address: int = 20
    throttle_per_account: int = 10

    @classmethod
    def from_settings(cls, settings: Mapping) -> LoginPolicy:
        return cls(max_failures=settings["LOGIN_MAX_FAILURES"], lock_minutes=settings["LOGIN_LOCK_MINUTES"],
                   throttle_window_seconds=settings["LOGIN_THROTTLE_WINDOW_SECONDS"],
                   throttle_per_address=settings["LOGIN_THROTTLE_PER_ADDRESS"],
                   throttle_per_account=settings["LOGIN_THROTTLE_PER_ACCOUNT"])


def login_refusal(*, user_found: bool, municipality_found: bool, is_active: bool, is_locked: bool,
                  password_ok: bool) -> str | None:
    """Why a login is refused (a code for the audit log only), or None when it may proceed.

    The person logging in is told none of this: every refusal gets the same answer.
    """
    if not municipality_found:
        return "unknown_municipality"
    if not user_found:
        return "unknown_user"
    if is_locked:
        return "locked"
    if not is_active:
        return "inactive"
    if not password_ok:
        return "wrong_password"
    return None


def account_key(lg_code: str | None, login_id: str) -> str:
    """The throttling key of an account: 団体コード + ユーザID, case and surrounding spaces ignored.

    Hashed, so that whatever was typed as a user ID (a password, sometimes) is not kept in clear.
    """
    account = f"{lg_code or '-'}:{login_id.strip().casefold()}"
    return hashlib.sha256(account.encode("utf-8", "surrogatepass")).hexdigest()


def failures_notice(failures: int, was_locked: bool) -> str | None:
    """What the owner is told at a successful login about failures since their previous login."""
    if failures <= 0 and not was_locked:
        return None
    if was_locked:
        return (f"前回のログインの後、このユーザIDでログインの失敗が{failures}回あり、一時的にロックされていました。"
                "心当たりがない場合は、パスワードを変更し、システム管理者に連絡してください。")
    return (f"前回のログインの後、このユーザIDでログインの失敗が{failures}回ありました。"
            "心当たりがない場合は、パスワードを変更してください。")
