"""Use cases for municipalities (tenants): registration by the operator and lookups."""
from __future__ import annotations

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from app.audit.services import Actor, record
from app.auth import rules as auth_rules
from app.auth.models import Role, User
from app.auth.passwords import hash_password
from app.db import Scope, get_or_not_found, get_scope, set_scope
from app.errors import ValidationError
from app.tenants import rules
from app.tenants.models import Municipality


def get_municipality(session: Session, lg_code: str) -> Municipality:
    return get_or_not_found(session, Municipality, lg_code,
                            f"地方公共団体コード「{lg_code}」の団体は登録されていません。")


def list_municipalities(session: Session) -> list[Municipality]:
    return list(session.scalars(select(Municipality).order_by(Municipality.lg_code)))


def register_municipality(session: Session, actor: Actor, *, lg_code: str, name: str, name_kana: str, kind: str,
                          population: int, center_lat: float, center_lon: float,
                          admin_login_id: str, admin_name: str, admin_password: str) -> Municipality:
    """Register a municipality with the four default roles and its first administrator.

    Runs in the operator's scope for the registry row, then in the new tenant's scope for the
    roles and the administrator, and returns to the caller's scope.
    """
    code = rules.normalize_lg_code(lg_code)
    if session.get(Municipality, code) is not None:
        raise ValidationError(f"地方公共団体コード「{code}」の団体は既に登録されています。", code="lg_code_taken")
    rules.size_class(kind, population)  # validates the kind
    if population < 0:
        raise ValidationError("人口は0以上で入力してください。", code="population_negative")
    name, name_kana = (name or "").strip(), (name_kana or "").strip()
    if not name:
        raise ValidationError("団体名を入力してください。", code="name_missing")
    problems = auth_rules.password_problems(admin_password, admin_login_id)
    if problems:
        raise ValidationError(" ".join(problems), code="password_weak")
    municipality = Municipality(lg_code=code, name=name, name_kana=name_kana, kind=kind,
                                population=population, center_lat=center_lat, center_lon=center_lon)
    session.add(municipality)
    session.flush()
    record(session, actor, "municipality_create", "municipality", [code], name=municipality.full_name)
    caller_scope = get_scope(session)
    set_scope(session, Scope.tenant(code))
    try:
        create_default_roles(session, code)
        admin_role = session.scalars(select(Role).where(Role.code == "01")).one()
        # The operator chose the first administrator's password: it is changed at the first login.
        session.add(User(lg_code=code, login_id=admin_login_id, display_name=admin_name, role=admin_role,
                         password_hash=hash_password(admin_password), must_change_password=True))
        session.flush()
    finally:
        set_scope(session, caller_scope)
    return municipality


def create_default_roles(session: Session, lg_code: str) -> list[Role]:
    """The four roles (権限 01–04) a municipality starts with; its administrator edits them later."""
    roles = [Role(lg_code=lg_code, code=code, name=name, screens=list(screens))
             for code, name, screens in auth_rules.DEFAULT_ROLES]
    session.add_all(roles)
    session.flush()
    return roles


def tenant_summaries(session: Session) -> list[dict]:
    """Per municipality: counts only (staff, residents, shelters, active disasters), for the operator."""
    rows = session.execute(text("SELECT * FROM operator_tenant_summary ORDER BY lg_code")).mappings()
    return [dict(row) for row in rows]
