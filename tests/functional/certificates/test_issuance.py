"""The issuance service at the counter and the disaster hand-off: every issue writes its log row
with the municipality's fee, a void voids the row too, a reissue gives a new serial free of charge,
a refusal stores nothing and uses no serial, and the fees are the municipality's (optimistic lock)."""
from datetime import date

import pytest
from sqlalchemy import func, select

from app.audit.services import Actor
from app.certificates import fees, issuance
from app.certificates.issuer import issuer_from_config
from app.certificates.models import IssuanceLog, IssuedCertificate
from app.errors import Conflict
from app.residents.models import Resident
from tests.helpers.applications import issue_hisai_certificate as _issue_hisai
from tests.helpers.applications import issued_certificates as _issued
from tests.helpers.database import tenant_session
from tests.helpers.demo import DEMO_CODE

DAY = date(2026, 11, 26)


@pytest.fixture()
def counter(app, db):
    session = tenant_session(DEMO_CODE)
    with app.test_request_context():
        issuer = issuer_from_config(app.config, "http://localhost/verify")
    person = session.scalars(select(Resident).where(Resident.status == "住登内", Resident.is_household_head)
                             .order_by(Resident.id)).first()
    yield session, Actor.system(DEMO_CODE, "madoguchi"), issuer, person
    session.close()


def _log(session, issued_id):
    return session.scalar(select(IssuanceLog).where(IssuanceLog.issued_certificate_id == issued_id))


def test_issuance_counter_issue_void_and_reissue_keep_the_log(counter):
    session, actor, issuer, person = counter
    issued = issuance.issue(session, actor, issuer, person, "住民票の写し", {"household": True}, "窓口", day=DAY)
    log = _log(session, issued.id)
    assert (log.channel, log.fee_yen, log.commission_yen, log.bcl_fee_yen) == ("窓口", 300, 0, 0)
    assert log.store_operator == ""
    new = issuance.reissue(session, actor, issuer, issued.id, "汚損", day=DAY)
    session.expire_all()
    assert issued.voided_at is not None and _log(session, issued.id).voided_at is not None
    assert int(new.serial[-6:]) == int(issued.serial[-6:]) + 1 and _log(session, new.id).fee_yen == 0
    with pytest.raises(issuance.IssuanceRefused) as refused:
        issuance.reissue(session, actor, issuer, issued.id, "再度", day=DAY)
    assert refused.value.code == "not_reissuable"
    issuance.void(session, actor, new.id, "誤交付")
    session.expire_all()
    assert _log(session, new.id).voided_at is not None


def test_issuance_refusal_stores_nothing_and_uses_no_serial(counter):
    session, actor, issuer, person = counter
    counts = (session.scalar(select(func.count()).select_from(IssuedCertificate)),
              session.scalar(select(func.count()).select_from(IssuanceLog)))
    with pytest.raises(issuance.IssuanceRefused) as refused:
        issuance.issue(session, actor, issuer, person, "所得証明書", {"fiscal_year": 1999}, "窓口", day=DAY)
    assert refused.value.code == "no_tax_record"
    assert (session.scalar(select(func.count()).select_from(IssuedCertificate)),
            session.scalar(select(func.count()).select_from(IssuanceLog))) == counts


def test_issuance_fees_are_the_municipalitys_with_optimistic_locking(counter):
    session, actor, issuer, person = counter
    assert fees.fee_for(session, DEMO_CODE, "印鑑登録証明書", "コンビニ").fee_yen == 200
    saved = fees.set_fee(session, actor, document_type="印鑑登録証明書", channel="コンビニ", fee_yen=150,
                         is_offered=True, is_weekday_only=True, version=0)
    assert (saved.fee_yen, saved.is_weekday_only, saved.version) == (150, True, 1)
    with pytest.raises(Conflict):
        fees.set_fee(session, actor, document_type="印鑑登録証明書", channel="コンビニ", fee_yen=100,
                     is_offered=True, is_weekday_only=False, version=0)
    issued = issuance.issue(session, actor, issuer, person, "住民票の写し", {}, "窓口", day=DAY)
    assert _log(session, issued.id).fee_yen == 300
    menu = {item.document_type: item for item in issuance.menu(session, person, "コンビニ", date(2026, 11, 28))}
    assert menu["印鑑登録証明書"].fee_yen == 150 and menu["印鑑登録証明書"].refusal.code in ("weekday_only", "no_seal")


def test_issuance_the_disaster_hand_off_writes_its_log_row(quake, house, system_session):
    application_id, _ = _issue_hisai(quake, house)
    [issued] = _issued(system_session, application_id)
    log = system_session.scalar(select(IssuanceLog).where(IssuanceLog.issued_certificate_id == issued.id))
    assert (log.lg_code, log.document_type, log.channel, log.fee_yen, log.commission_yen) == (
        DEMO_CODE, "被災証明書", "窓口", 0, 0)
