"""Residents (the 住民基本台帳 copy) and the resident data link (``link``: receive, check, apply,
generations and restore; docs/resident-link.md), its API and command, address geocoding and the
screens of both.

May import: core, audit, jobs, maps.services and maps.basemap_routes (the map, its extent and base
maps, when staff place a resident by hand), residents.link, tenants.
"""
from flask import Blueprint

bp = Blueprint("residents", __name__, template_folder="templates")
api_bp = Blueprint("link_api", __name__, url_prefix="/api/link/v1")
