"""Imports every model so that ``Base.metadata`` is complete (Alembic, tests)."""
from app.audit.models import AuditEntry
from app.auth.models import Role, User
from app.cardauth.models import CardCertificate, CardChallenge
from app.certificates.models import (
    CertificateFee,
    CertificateLayout,
    CounterQueueEntry,
    IssuanceLog,
    IssuedCertificate,
)
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
from app.kiosk.models import KioskMaintenanceDay, KioskRequest, KioskSession, StoreOperator
from app.maps.models import (
    AdminArea,
    Basemap,
    BasemapSetting,
    BasemapTile,
    HazardArea,
    HazardUpload,
    MapLayerVersion,
    ResidentHazard,
    SpatialAnalysis,
    SpatialAnalysisItem,
)
from app.ogc.models import GisToken
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
from app.shelters.models import Evacuee, Shelter, ShelterOpening, ShelterStaff
from app.tenants.models import Municipality, RegisterItem
from app.throttle import ThrottleEvent

__all__ = [
    "AddressPoint",
    "AdminArea",
    "AuditEntry",
    "Base",
    "Basemap",
    "BasemapSetting",
    "BasemapTile",
    "Building",
    "CardCertificate",
    "CardChallenge",
    "CertificateApplication",
    "CertificateFee",
    "CertificateIssue",
    "CertificateLayout",
    "CounterQueueEntry",
    "DamageSurvey",
    "Disaster",
    "EvacCriteria",
    "EvacPerson",
    "EvacPlan",
    "Evacuee",
    "Generation",
    "GisToken",
    "HazardArea",
    "HazardUpload",
    "IssuanceLog",
    "IssuedCertificate",
    "Job",
    "KioskMaintenanceDay",
    "KioskRequest",
    "KioskSession",
    "LinkBatch",
    "LinkError",
    "LinkFile",
    "LinkFileChunk",
    "LinkToken",
    "MapLayerVersion",
    "Municipality",
    "RegisterItem",
    "RegisterUpdate",
    "Resident",
    "ResidentHazard",
    "Role",
    "RosterProvision",
    "SafetyCheck",
    "SealRegistration",
    "Shelter",
    "ShelterOpening",
    "ShelterStaff",
    "SpatialAnalysis",
    "SpatialAnalysisItem",
    "StoreOperator",
    "SupportApplication",
    "SupporterOrg",
    "SurveyEvent",
    "SurveyPhoto",
    "TaxRecord",
    "ThrottleEvent",
    "User",
    "Victim",
    "VictimHousehold",
    "VictimProvision",
    "WelfareRecord",
]
