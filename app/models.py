"""Imports every model so that ``Base.metadata`` is complete (Alembic, tests)."""
from app.audit.models import AuditEntry
from app.auth.models import Role, User
from app.damage.models import Building
from app.db import Base
from app.disasters.models import Disaster
from app.maps.models import AdminArea, HazardArea
from app.residents.models import Resident
from app.shelters.models import Shelter
from app.tenants.models import Municipality

__all__ = ["AdminArea", "AuditEntry", "Base", "Building", "Disaster", "HazardArea", "Municipality", "Resident",
           "Role", "Shelter", "User"]
