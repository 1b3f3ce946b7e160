"""Use cases of card authentication: issue a challenge, verify a card's answer and find its holder,
record refusals, register certificates (the mapping J-LIS provides).

Tenancy: a challenge belongs to the terminal's municipality (or to none, for a terminal that serves
every municipality). The registrations are tenant rows; which municipality a certificate belongs
to is asked through ``bcl_card_certificate_tenant`` (SECURITY DEFINER, returns the lg_code only),
so a terminal that serves everyone learns the tenant first and then reads under its policy.
"""
from __future__ import annotations

import os
import uuid
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta

from cryptography import x509
from sqlalchemy import delete, select, text, update
from sqlalchemy.orm import Session

from app import throttle
from app.audit.services import Actor, record
from app.cardauth import rules
from app.cardauth.models import CardCertificate, CardChallenge
from app.cardauth.rules import CardAuthRefused, TrustStore
from app.clock import japan_date, today_in_japan
from app.db import NO_TENANT, Scope, set_scope
from app.errors import DomainError, TooManyRequests, ValidationError
from app.residents.models import Resident
from app.residents.rules import REGISTERED

KEEP_USED_CHALLENGES = timedelta(days=1)
# Failed answers of one certificate within 15 minutes before it is held back (429) until the oldest
# of them is 15 minutes old; the count is the configuration's CARD_AUTH_FAILURES_PER_CERTIFICATE.
FAILURE_WINDOW = timedelta(minutes=15)
DEFAULT_FAILURE_LIMIT = throttle.Limit(10, FAILURE_WINDOW)


@dataclass(frozen=True)
class CardAnswer:
    """What a reader sends back for a challenge."""

    challenge_id: str
    certificate: str  # PEM, or base64 DER
    signature: str  # base64url


@dataclass(frozen=True)
class CardHolder:
    """The verified card's holder."""

    lg_code: str
    resident: Resident
    serial: str


def issue_challenge(session: Session, purpose: str, terminal_lg_code: str | None) -> CardChallenge:
    """A fresh single-use challenge (32 random bytes) valid for five minutes. Old challenges are
    purged on the way."""
    if purpose not in rules.PURPOSES:
        raise ValidationError(f"認証の用途「{purpose}」はありません。", code="purpose_unknown")
    now = datetime.now(UTC)
    session.execute(delete(CardChallenge).where(CardChallenge.expires_at < now - KEEP_USED_CHALLENGES))
    challenge = CardChallenge(id=uuid.uuid4(), nonce=os.urandom(rules.CHALLENGE_BYTES), purpose=purpose,
                              terminal_lg_code=terminal_lg_code, expires_at=now + rules.CHALLENGE_LIFETIME)
    session.add(challenge)
    session.flush()
    return challenge


def verify(session: Session, actor: Actor, trust: TrustStore, answer: CardAnswer, purpose: str,
           now: datetime | None = None, any_status: bool = False,
           failure_limit: throttle.Limit = DEFAULT_FAILURE_LIMIT) -> CardHolder:
    """Verify ``answer`` against its challenge: challenge unused and unexpired, certificate not held
    back by its failed answers (``failure_limit``), chained to a trusted CA, valid now, not revoked,
    signature over exactly the challenge; then the holder.

    ``actor.lg_code`` is the terminal's municipality: a card of another one is refused. A terminal of
    no municipality (``None``) gets the holder's municipality, and the session then acts for it.
    The challenge is used up on success; on a refusal call ``refuse`` after rolling back. With
    ``any_status`` a holder who moved out or died is returned too (the caller refuses them precisely).
    """
    now = now or datetime.now(UTC)
    challenge = _open_challenge(session, answer.challenge_id, purpose)
    rules.check_challenge(challenge.expires_at, challenge.used_at, now)
    cert = rules.parse_certificate(answer.certificate)
    _check_not_held_back(session, cert, failure_limit)
    signature = rules.decode_b64(answer.signature)
    rules.check_certificate(cert, trust, now)
    rules.check_signature(cert, challenge.nonce, signature)
    challenge.used_at = now
    session.flush()
    holder = _holder(session, cert, actor.lg_code, japan_date(now), any_status)
    record(session, replace(actor, lg_code=holder.lg_code), "card_auth", "resident", [holder.resident.atena_no],
           serial=holder.serial, purpose=purpose)
    return holder


def _throttle_key(cert: x509.Certificate) -> str:
    return rules.certificate_throttle_key(cert.issuer.rfc4514_string(), rules.serial_text(cert))


def _check_not_held_back(session: Session, cert: x509.Certificate, limit: throttle.Limit) -> None:
    wait = throttle.wait(session, _throttle_key(cert), limit)
    if wait:
        raise TooManyRequests(rules.MESSAGES["too_many_attempts"], code="too_many_attempts", retry_after=wait)


def presented_certificate(answer: CardAnswer | None) -> x509.Certificate | None:
    """The certificate an answer presented, when it can be read (else None)."""
    if answer is None:
        return None
    try:
        return rules.parse_certificate(answer.certificate)
    except CardAuthRefused:
        return None


def _open_challenge(session: Session, challenge_id: str, purpose: str) -> CardChallenge:
    try:
        key = uuid.UUID(str(challenge_id))
    except ValueError as exc:
        raise CardAuthRefused("challenge_unknown") from exc
    challenge = session.scalar(select(CardChallenge).where(CardChallenge.id == key).with_for_update())
    if challenge is None or challenge.purpose != purpose:
        raise CardAuthRefused("challenge_unknown")
    return challenge


def _holder(session: Session, cert: x509.Certificate, lg_code: str | None, today: date,
            any_status: bool = False) -> CardHolder:
    issuer, serial = cert.issuer.rfc4514_string(), rules.serial_text(cert)
    owner = certificate_tenant(session, issuer, serial)
    if owner is None:
        raise CardAuthRefused("certificate_unregistered", serial=serial)
    if lg_code is None:
        set_scope(session, Scope.tenant(owner))
    elif owner != lg_code:
        raise CardAuthRefused("other_municipality", serial=serial)
    registration = session.scalar(select(CardCertificate).where(CardCertificate.issuer == issuer,
                                                                CardCertificate.serial == serial))
    if registration.revoked_on is not None and registration.revoked_on <= today:
        raise CardAuthRefused("certificate_revoked", serial=serial)
    people = residents_with_code(session, registration.resident_code)
    if len(people) > 1:
        raise CardAuthRefused("resident_ambiguous", serial=serial)
    if not people or not (any_status or people[0].status == REGISTERED):
        raise CardAuthRefused("resident_not_found", serial=serial)
    return CardHolder(owner, people[0], serial)


def residents_with_code(session: Session, resident_code: str) -> list[Resident]:
    """The municipality's residents (any 住民状態) holding ``resident_code``: one, or none. Two or
    more means the copy is wrong (the link refuses such batches, older data may hold them), and
    the caller refuses rather than pick one of them."""
    return list(session.scalars(select(Resident).where(Resident.resident_code == resident_code)
                                .order_by(Resident.id).limit(2)))


def certificate_tenant(session: Session, issuer: str, serial: str) -> str | None:
    """The municipality a certificate is registered to, whatever the session's tenant (lg_code only)."""
    return session.scalar(text("SELECT bcl_card_certificate_tenant(:issuer, :serial)"),
                          {"issuer": issuer, "serial": serial})


def refuse(session: Session, actor: Actor, error: DomainError, answer: CardAnswer | None, purpose: str,
           now: datetime | None = None) -> None:
    """After a refusal (and the rollback): use up the challenge, so it cannot be tried again, count
    the failure against the presented certificate, and audit the refusal with that certificate's
    serial (empty when none could be read). Refusals at a terminal of no municipality go to the
    operator's (J-LIS) log. ``error`` is a ``CardAuthRefused``, a refused request body, or the
    ``TooManyRequests`` of a card held back (not counted again)."""
    now = now or datetime.now(UTC)
    set_scope(session, Scope.tenant(actor.lg_code) if actor.lg_code else NO_TENANT)
    if answer is not None:
        try:
            key = uuid.UUID(str(answer.challenge_id))
        except ValueError:
            key = None
        if key is not None:
            session.execute(update(CardChallenge).where(CardChallenge.id == key, CardChallenge.used_at.is_(None))
                            .values(used_at=now))
    cert = presented_certificate(answer)
    if cert is not None and error.code not in rules.NOT_THE_CARDS_FAILURE:
        throttle.add(session, _throttle_key(cert))
        throttle.purge(session, rules.CARD_THROTTLE_PREFIX, FAILURE_WINDOW)
    if actor.lg_code is None:
        set_scope(session, Scope.operator())
    record(session, actor, "card_auth_refused", "card_certificate", [rules.serial_text(cert) if cert else ""],
           code=error.code, purpose=purpose)


def register_certificate(session: Session, actor: Actor, cert: x509.Certificate, resident_code: str,
                         registered_on: date | None = None) -> CardCertificate:
    """Link a user-auth certificate to a resident (住民票コード) of the actor's municipality."""
    people = residents_with_code(session, resident_code)
    if not people:
        raise ValidationError(f"住民票コード {resident_code} の住民は当団体の住民記録にいません。",
                              code="resident_unknown")
    if len(people) > 1:
        raise ValidationError(f"住民票コード {resident_code} の住民が複数います。住民記録（住民情報連携）を"
                              "正してから登録してください。", code="resident_ambiguous")
    person = people[0].atena_no
    issuer, serial = cert.issuer.rfc4514_string(), rules.serial_text(cert)
    owner = certificate_tenant(session, issuer, serial)
    if owner is not None and owner != actor.lg_code:
        raise ValidationError("この証明書は他の団体の住民に登録されています。", code="registered_elsewhere")
    registration = session.scalar(select(CardCertificate).where(CardCertificate.issuer == issuer,
                                                                CardCertificate.serial == serial))
    if registration is None:
        registration = CardCertificate(lg_code=actor.lg_code, issuer=issuer, serial=serial)
        session.add(registration)
    registration.resident_code = resident_code
    registration.not_after = cert.not_valid_after_utc
    registration.registered_on = registered_on or today_in_japan()
    registration.revoked_on = None
    session.flush()
    record(session, actor, "card_register", "card_certificate", [serial], atena_no=person)
    return registration
