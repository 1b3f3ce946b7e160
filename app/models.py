"""Imports every model so that ``Base.metadata`` is complete (Alembic, tests)."""
from app.audit.models import AuditEntry
from app.auth.models import Role, User
from app.damage.models import Building, DamageSurvey, SurveyEvent, SurveyPhoto
from app.db import Base
from app.disasters.models import (
    CertificateApplication,
    CertificateIssue,
    Disaster,
    SupportApplication,
    Victim,
    VictimHousehold,
    VictimProvision,
)
from app.evac_support.models import (
    EvacCriteria,
    EvacPerson,
    EvacPlan,
    RegisterUpdate,
    RosterProvision,
    SafetyCheck,
    SupporterOrg,
)
from app.jobs.models import Job
from app.maps.models import AdminArea, HazardArea
from app.residents.models import (
    AddressPoint,
    Generation,
    LinkBatch,
    LinkError,
    LinkFile,
    LinkFileChunk,
    LinkToken,
    Resident,
    SealRegistration,
    TaxRecord,
    WelfareRecord,
)
from app.shelters.models import Evacuee, Shelter, ShelterOpening
from app.tenants.models import Municipality, RegisterItem

__all__ = [
    "AddressPoint",
    "AdminArea",
    "AuditEntry",
    "Base",
    "Building",
    "CertificateApplication",
    "CertificateIssue",
    "DamageSurvey",
    "Disaster",
    "EvacCriteria",
    "EvacPerson",
    "EvacPlan",
    "Evacuee",
    "Generation",
    "HazardArea",
    "Job",
    "LinkBatch",
    "LinkError",
    "LinkFile",
    "LinkFileChunk",
    "LinkToken",
    "Municipality",
    "RegisterItem",
    "RegisterUpdate",
    "Resident",
    "Role",
    "RosterProvision",
    "SafetyCheck",
    "SealRegistration",
    "Shelter",
    "ShelterOpening",
    "SupportApplication",
    "SupporterOrg",
    "SurveyEvent",
    "SurveyPhoto",
    "TaxRecord",
    "User",
    "Victim",
    "VictimHousehold",
    "VictimProvision",
    "WelfareRecord",
]
