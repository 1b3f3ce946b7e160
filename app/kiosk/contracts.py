"""Each municipality's コンビニ交付 contracts with store operators. A resident is served only at the
kiosks of an operator their municipality has a contract with on the day; the operator (J-LIS)
records them from the CLI in the system scope, a municipality's sessions read their own (RLS)."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.audit.services import Actor, record
from app.errors import ValidationError
from app.kiosk.models import KioskContract, StoreOperator
from app.tenants.models import Municipality


def set_contract(session: Session, actor: Actor, lg_code: str, operator_code: str, started_on: date,
                 ended_on: date | None = None) -> KioskContract:
    """Record (or change the period of) the contract of ``lg_code`` with the store operator."""
    if session.get(Municipality, lg_code) is None:
        raise ValidationError(f"団体コード {lg_code} の市区町村は登録されていません。", code="municipality_unknown")
    if session.scalar(select(StoreOperator.id).where(StoreOperator.code == operator_code)) is None:
        raise ValidationError(f"事業者コード {operator_code} の事業者は登録されていません。", code="operator_unknown")
    if ended_on is not None and ended_on < started_on:
        raise ValidationError("契約の終了日は開始日より後にしてください。", code="period_invalid")
    contract = session.scalar(select(KioskContract).where(KioskContract.lg_code == lg_code,
                                                          KioskContract.store_operator == operator_code))
    if contract is None:
        contract = KioskContract(lg_code=lg_code, store_operator=operator_code)
        session.add(contract)
    contract.started_on, contract.ended_on = started_on, ended_on
    session.flush()
    record(session, actor, "kiosk_contract_set", "municipality", [lg_code], operator=operator_code,
           started_on=started_on.isoformat(), ended_on=ended_on.isoformat() if ended_on else "")
    return contract


def list_contracts(session: Session, lg_code: str | None = None) -> list[KioskContract]:
    """The contracts (of one municipality, or all the session can see), by municipality and operator."""
    query = select(KioskContract)
    if lg_code:
        query = query.where(KioskContract.lg_code == lg_code)
    return list(session.scalars(query.order_by(KioskContract.lg_code, KioskContract.store_operator)))


def has_contract(session: Session, lg_code: str, operator_code: str, day: date) -> bool:
    """Whether the municipality's residents may be served at the operator's kiosks on ``day``."""
    return session.scalar(select(KioskContract.id).where(
        KioskContract.lg_code == lg_code, KioskContract.store_operator == operator_code,
        KioskContract.started_on <= day,
        (KioskContract.ended_on.is_(None)) | (KioskContract.ended_on >= day))) is not None
