"""The registered 提供先 of the 被災者台帳 and the provisions made to them (災対法 90条の4).

A recipient is chosen from the municipality's list by its id and compared exactly: a consent is the
id of the recipient the person agreed to, and a provision with 本人同意 covers the people whose
consent holds that very id. Nothing typed is ever matched against names (a typed ``%`` once matched
everyone). People under 支援措置 go to a recipient only when they consented to it themselves, and
even then without address or contact (``victims.register_rows``).

Every file of the register that leaves the office is such a provision: ``plan_provision`` shows
it on a confirmation page (a GET, writing nothing) and ``provide_register`` records it when that
page's form is sent. The staff's own export (``victims.export_register``) is for the
municipality's relief only.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.audit.services import Actor, record
from app.disasters.models import RECIPIENT_KINDS, Victim, VictimProvision, VictimRecipient
from app.errors import ValidationError
from app.inputs import form_integer
from app.named_entries import NamedList, get_entry, save_entry

CONSENT, OTHER_GOVERNMENT = "本人同意", "他自治体の援護"
PROVISION_BASES = (CONSENT, OTHER_GOVERNMENT)
# Another local government's relief (90条の4第1項第3号) goes to a local government only.
GOVERNMENT_KIND = "地方公共団体"


def list_recipients(session: Session, *, active_only: bool = False) -> list[VictimRecipient]:
    query = select(VictimRecipient).order_by(VictimRecipient.kind, VictimRecipient.name)
    if active_only:
        query = query.where(VictimRecipient.is_active)
    return list(session.scalars(query))


RECIPIENTS = NamedList(VictimRecipient, noun="提供先", target_type="victim_recipient",
                       not_found="指定された提供先は見つかりません。", name_taken_code="recipient_name_taken",
                       audit_action="victim_recipient_save",
                       saved_values=lambda r: {"名称": r.name, "種別": r.kind, "連絡先": r.contact,
                                               "提供先として": "有効" if r.is_active else "停止"})


def get_recipient(session: Session, recipient_id: int) -> VictimRecipient:
    """The municipality's recipient (another municipality's is not found, by row-level security)."""
    return get_entry(session, RECIPIENTS, recipient_id)


def save_recipient(session: Session, actor: Actor, recipient_id: int | None, *, name: str, kind: str,
                   contact: str = "", is_active: bool = True, version: int | None = None,
                   confirmed: bool = False) -> VictimRecipient:
    """Register a recipient (``recipient_id`` None) or update one: optimistic lock on ``version``
    and the changes confirmed (変更事項の確認). Names are unique in the municipality."""
    name, contact = (name or "").strip(), (contact or "").strip()
    if not name or len(name) > 100 or "\x00" in name + contact:
        raise ValidationError("提供先の名称を100文字以内で入力してください。", code="recipient_name_invalid")
    if kind not in RECIPIENT_KINDS:
        raise ValidationError(f"提供先の種別は {'・'.join(RECIPIENT_KINDS)} から選んでください。",
                              code="recipient_kind_unknown")
    if len(contact) > 200:
        raise ValidationError("連絡先は200文字以内で入力してください。", code="recipient_contact_too_long")
    values = {"name": name, "kind": kind, "contact": contact, "is_active": is_active}
    return save_entry(session, actor, RECIPIENTS, recipient_id, values, version=version, confirmed=confirmed,
                      audit_detail={"name": name, "kind": kind, "active": is_active})


def chosen_recipient(session: Session, raw_id: str) -> VictimRecipient:
    """The recipient a form chose by id: anything else (a name, a pattern, an unknown or another
    municipality's id) is refused with the same message."""
    recipient_id = form_integer(raw_id)
    found = session.get(VictimRecipient, recipient_id) if recipient_id is not None else None
    if found is None:
        raise ValidationError("提供先を一覧から選んでください（登録された提供先だけに提供できます）。",
                              code="recipient_unknown")
    return found


def consented_ids(session: Session, raw_ids: list[str], already: list[int]) -> list[int]:
    """The recipient ids of a consent as ticked on a form: each a registered recipient (a stopped
    one only if the person had already consented to it)."""
    chosen = {form_integer(raw) for raw in raw_ids}  # None: a value that is no record id
    known = {r.id: r for r in session.scalars(select(VictimRecipient).where(VictimRecipient.id.in_(chosen - {None})))}
    if any(i not in known or not (known[i].is_active or i in already) for i in chosen):
        raise ValidationError("登録されていない提供先が選ばれています。", code="recipient_unknown")
    return sorted(chosen)


def recipient_names(session: Session) -> dict[int, str]:
    """Recipient id -> name, for showing consents."""
    return dict(session.execute(select(VictimRecipient.id, VictimRecipient.name)).all())


@dataclass(frozen=True)
class ProvisionPlan:
    """Whom a provision would list now, to whom and why: what the confirmation page shows, and
    what is recorded when its form is sent."""

    disaster_id: int
    recipient: VictimRecipient
    purpose: str
    basis: str
    victim_ids: list[int]
    protected_count: int  # people under 支援措置, listed without address and contact


def plan_provision(session: Session, disaster_id: int, *, recipient_id: str, purpose: str,
                   basis: str) -> ProvisionPlan:
    """Check a provision of the register to a registered recipient (90条の4) and choose its
    people, writing nothing. With 本人同意: the people who consented to that recipient. For
    another local government's relief: a local government only, and everyone except people under
    支援措置 who did not consent to it themselves."""
    recipient = chosen_recipient(session, recipient_id)
    purpose = (purpose or "").strip()
    if not purpose or len(purpose) > 200 or "\x00" in purpose:
        raise ValidationError("目的を200文字以内で入力してください。", code="provision_incomplete")
    if basis not in PROVISION_BASES:
        raise ValidationError("提供の根拠は「本人同意」か「他自治体の援護」です。", code="basis_unknown")
    if not recipient.is_active:
        raise ValidationError(f"{recipient.name}は現在提供先になっていません。", code="recipient_inactive")
    if basis == OTHER_GOVERNMENT and recipient.kind != GOVERNMENT_KIND:
        raise ValidationError("他自治体の援護のための提供は、種別が地方公共団体の提供先にだけできます。",
                              code="recipient_not_government")
    consented = Victim.consented_recipient_ids.contains([recipient.id])
    who = consented if basis == CONSENT else (~Victim.is_protected | consented)
    people = session.execute(select(Victim.id, Victim.is_protected).where(Victim.disaster_id == disaster_id, who)
                             .order_by(Victim.id)).all()
    if not people:
        raise ValidationError(f"「{recipient.name}」への提供に同意した人がいません。", code="nobody_consented")
    return ProvisionPlan(disaster_id, recipient, purpose, basis, [p.id for p in people],
                         sum(p.is_protected for p in people))


def provide_register(session: Session, actor: Actor, disaster_id: int, *, recipient_id: str, purpose: str,
                     basis: str) -> VictimProvision:
    """Record a provision of the register (90条の4) with the people ``plan_provision`` chooses
    now, and return it: its file lists exactly its ``victim_ids``. Only ever reached by a POST
    from the confirmation page; every file for a third party is such a provision."""
    plan = plan_provision(session, disaster_id, recipient_id=recipient_id, purpose=purpose, basis=basis)
    provision = VictimProvision(lg_code=actor.lg_code, disaster_id=disaster_id, recipient_id=plan.recipient.id,
                                recipient=plan.recipient.name, purpose=plan.purpose, basis=plan.basis,
                                victim_ids=plan.victim_ids, provided_by=actor.login_id)
    session.add(provision)
    session.flush()
    record(session, actor, "victim_provide", "disaster", [disaster_id], recipient=plan.recipient.name,
           recipient_id=plan.recipient.id, basis=plan.basis, count=len(plan.victim_ids), provision=provision.id)
    return provision


def provisions(session: Session, disaster_id: int) -> list[VictimProvision]:
    return list(session.scalars(select(VictimProvision).where(VictimProvision.disaster_id == disaster_id)
                                .order_by(VictimProvision.id.desc())))
