"""A municipality's certificate fees per document type and channel, whether it offers a document
at kiosks and whether only on weekdays. Pairs it has not set take the defaults of ``rules``."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.audit.services import Actor, record
from app.certificates import rules
from app.certificates.models import CertificateFee
from app.errors import ValidationError, require_version


@dataclass(frozen=True)
class FeeSetting:
    """The effective fee of one document type through one channel (stored or default)."""

    document_type: str
    channel: str
    fee_yen: int
    is_offered: bool
    is_weekday_only: bool
    version: int = 0  # 0: not stored yet (the default applies)


def fee_for(session: Session, lg_code: str, document_type: str, channel: str) -> FeeSetting:
    """The effective setting of one pair for ``lg_code`` (the session must act for it)."""
    stored = session.scalar(select(CertificateFee).where(
        CertificateFee.lg_code == lg_code, CertificateFee.document_type == document_type,
        CertificateFee.channel == channel))
    return _setting(stored, document_type, channel)


def fee_table(session: Session, lg_code: str, channel: str | None = None) -> list[FeeSetting]:
    """Every document type × channel (or one channel) with its effective setting."""
    stored = {(f.document_type, f.channel): f for f in session.scalars(
        select(CertificateFee).where(CertificateFee.lg_code == lg_code))}
    channels = (channel,) if channel else rules.CHANNELS
    return [_setting(stored.get((kind, ch)), kind, ch) for kind in rules.DOCUMENT_TYPES for ch in channels]


def _setting(stored: CertificateFee | None, document_type: str, channel: str) -> FeeSetting:
    if stored is None:
        return FeeSetting(document_type, channel, rules.default_fee(document_type, channel),
                          rules.default_offered(document_type, channel), False)
    return FeeSetting(document_type, channel, stored.fee_yen, stored.is_offered, stored.is_weekday_only,
                      stored.version)


def set_fee(session: Session, actor: Actor, *, document_type: str, channel: str, fee_yen: int, is_offered: bool,
            is_weekday_only: bool, version: int | None = None) -> FeeSetting:
    """Store the actor's municipality's fee for one pair. ``version`` (screens) refuses a save made on
    an older version; 0 means "not stored yet"; None (CLI) skips the check."""
    if document_type not in rules.DOCUMENT_TYPES:
        raise ValidationError(f"証明書の種類「{document_type}」はありません。", code="document_unknown")
    if channel not in rules.CHANNELS:
        raise ValidationError(f"交付の経路「{channel}」はありません。", code="channel_unknown")
    if not isinstance(fee_yen, int) or not 0 <= fee_yen <= 100_000:
        raise ValidationError("手数料は 0 から 100000 までの整数（円）で入力してください。", code="fee_invalid")
    stored = session.scalar(select(CertificateFee).where(
        CertificateFee.lg_code == actor.lg_code, CertificateFee.document_type == document_type,
        CertificateFee.channel == channel))
    if version is not None:
        current = _setting(stored, document_type, channel)
        require_version(current.version, version, "この手数料は他の職員が先に更新しました。内容を確認してください。",
                        {"手数料": f"{current.fee_yen}円", "取扱い": "あり" if current.is_offered else "なし"})
    if stored is None:
        stored = CertificateFee(lg_code=actor.lg_code, document_type=document_type, channel=channel)
        session.add(stored)
    stored.fee_yen, stored.is_offered, stored.is_weekday_only = fee_yen, is_offered, is_weekday_only
    session.flush()
    record(session, actor, "certificate_fee_update", "municipality", [actor.lg_code], document_type=document_type,
           channel=channel, fee_yen=fee_yen, is_offered=is_offered, is_weekday_only=is_weekday_only)
    return _setting(stored, document_type, channel)


def update_fee(session: Session, actor: Actor, *, confirmed: bool, **values) -> FeeSetting:
    """The administration screen's save: optimistic lock (``version``) and the confirmation checkbox."""
    stored = fee_for(session, actor.lg_code, values.get("document_type", ""), values.get("channel", ""))
    require_version(stored.version, values.get("version", 0),
                    "この手数料は他の職員が先に更新しました。内容を確認してください。",
                    {"手数料": f"{stored.fee_yen}円", "取扱い": "あり" if stored.is_offered else "なし",
                     "平日のみ": "はい" if stored.is_weekday_only else "いいえ"})
    if not confirmed:
        raise ValidationError("変更内容を確認し、チェックを入れてから更新してください。", code="not_confirmed")
    return set_fee(session, actor, **values)
