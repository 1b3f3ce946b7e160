"""らくらく窓口 and 受付・お渡し: a resident authenticated by card at the self-service screen asks for a
document (eligibility of the らくらく窓口 channel, the municipality's fee); the request waits in the
day's queue with a 受付番号 and nothing is issued until staff confirm payment and hand it over — then
it is issued exactly once through the issuance service (channel らくらく窓口) and waits for the
counter's print station, which prints it and records that it did."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from app.audit.services import Actor, record
from app.certificates import issuance, rules
from app.certificates.issuer import Issuer
from app.certificates.models import CounterQueueEntry, IssuedCertificate
from app.errors import Conflict, NotFound, ValidationError, require_version
from app.residents.models import Resident

CARD_PURPOSE = "self_service"
WAITING, HANDED_OVER, CANCELLED = "受付", "交付済", "取消"


@dataclass(frozen=True)
class QueueRow:
    """One request of the day's queue with the person's name (staff screen only)."""

    entry: CounterQueueEntry
    name: str
    is_protected: bool


def self_service_menu(session: Session, resident: Resident, day: date) -> list[issuance.MenuItem]:
    """What the person can ask for at the self-service screen, with fees and refusals."""
    return issuance.menu(session, resident, rules.SELF_SERVICE, day)


def enqueue(session: Session, actor: Actor, resident: Resident, document_type: str, day: date,
            options: dict | None = None) -> CounterQueueEntry:
    """Queue one request (with its ``options``) under the next 受付番号 of the day, checked and priced
    as a らくらく窓口 issue (raises ``IssuanceRefused``). Nothing is issued."""
    quoted = issuance.quote(session, resident, document_type, options or {}, rules.SELF_SERVICE, day)
    session.execute(text("SELECT pg_advisory_xact_lock(hashtext('counter-queue:' || :lg))"), {"lg": actor.lg_code})
    last = session.scalar(select(func.max(CounterQueueEntry.ticket_no)).where(
        CounterQueueEntry.lg_code == actor.lg_code, CounterQueueEntry.day == day))
    entry = CounterQueueEntry(lg_code=actor.lg_code, day=day, ticket_no=(last or 0) + 1, resident_id=resident.id,
                              document_type=quoted.document_type, options=quoted.options,
                              fee_yen=quoted.charges.fee_yen)
    session.add(entry)
    session.flush()
    record(session, actor, "counter_queue_request", "counter_queue", [entry.id], ticket_no=entry.ticket_no,
           document_type=entry.document_type, atena_no=resident.atena_no)
    return entry


def get_entry(session: Session, entry_id: int, *, lock: bool = False) -> CounterQueueEntry:
    """One request of the actor's municipality (RLS); ``lock`` holds it until the transaction ends."""
    query = select(CounterQueueEntry).where(CounterQueueEntry.id == entry_id)
    entry = session.scalar(query.with_for_update() if lock else query)
    if entry is None:
        raise NotFound("指定された受付は見つかりません。")
    return entry


def day_queue(session: Session, actor: Actor, day: date) -> list[QueueRow]:
    """The day's requests, by 受付番号 (audited: the staff screen shows names)."""
    rows = session.execute(select(CounterQueueEntry, Resident.name, Resident.is_protected)
                           .join(Resident, Resident.id == CounterQueueEntry.resident_id)
                           .where(CounterQueueEntry.day == day).order_by(CounterQueueEntry.ticket_no)).all()
    record(session, actor, "record_view", "counter_queue", [r[0].id for r in rows], screen="certificates")
    return [QueueRow(*row) for row in rows]


def _waiting(session: Session, entry_id: int, version: int) -> CounterQueueEntry:
    entry = get_entry(session, entry_id, lock=True)
    require_version(entry.version, version, "この受付は他の職員が先に処理しました。一覧を確認してください。",
                    {"状態": entry.status})
    if entry.status != WAITING:
        raise Conflict(f"この受付はすでに{entry.status}です。", current={"状態": entry.status})
    return entry


def hand_over(session: Session, actor: Actor, issuer: Issuer, entry_id: int, version: int,
              day: date) -> IssuedCertificate:
    """Payment confirmed: issue the document (channel らくらく窓口, fee in the issuance log) and mark the
    request handed over. A request already handed over or cancelled, or changed meanwhile, is refused."""
    entry = _waiting(session, entry_id, version)
    resident = session.get(Resident, entry.resident_id)
    issued = issuance.issue(session, actor, issuer, resident, entry.document_type, entry.options,
                            rules.SELF_SERVICE, day=day)
    entry.status, entry.issued_certificate_id = HANDED_OVER, issued.id
    entry.handed_over_by, entry.handed_over_at = actor.login_id or "system", func.now()
    session.flush()
    record(session, actor, "counter_queue_hand_over", "counter_queue", [entry.id], ticket_no=entry.ticket_no,
           serial=issued.serial)
    return issued


def cancel(session: Session, actor: Actor, entry_id: int, version: int, reason: str) -> CounterQueueEntry:
    """取消 of a waiting request, with its reason."""
    if not reason.strip():
        raise ValidationError("取消の理由を入力してください。", code="reason_missing")
    entry = _waiting(session, entry_id, version)
    entry.status, entry.cancel_reason = CANCELLED, reason.strip()[:200]
    entry.handed_over_by, entry.handed_over_at = actor.login_id or "system", func.now()
    session.flush()
    record(session, actor, "counter_queue_cancel", "counter_queue", [entry.id], ticket_no=entry.ticket_no,
           reason=reason.strip())
    return entry


def print_jobs(session: Session, day: date) -> list[CounterQueueEntry]:
    """The day's certificates handed over and not yet printed, in the order they were handed over."""
    return list(session.scalars(select(CounterQueueEntry).where(
        CounterQueueEntry.day == day, CounterQueueEntry.status == HANDED_OVER,
        CounterQueueEntry.printed_at.is_(None)).order_by(CounterQueueEntry.handed_over_at, CounterQueueEntry.id)))


def mark_printed(session: Session, actor: Actor, entry_id: int) -> CounterQueueEntry:
    """The print station printed the entry's certificate (audited). Printing it again (a reprint)
    keeps the first time; only a handed-over entry has anything to print."""
    entry = get_entry(session, entry_id, lock=True)
    if entry.status != HANDED_OVER:
        raise Conflict(f"この受付は{entry.status}のため、印刷するものがありません。", current={"状態": entry.status})
    if entry.printed_at is None:
        entry.printed_at, entry.printed_by = func.now(), actor.login_id or "system"
        session.flush()
    record(session, actor, "counter_queue_print", "counter_queue", [entry.id], ticket_no=entry.ticket_no)
    return entry
