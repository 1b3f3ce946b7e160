"""The map (docs/map.md): map pages, vector tiles and their shared cache, hazard layer imports
(``layer_services``, ``layer_routes``), spatial analyses with their expiring results, and the base
maps BCL serves itself (``basemaps``, ``basemap_routes``, ``basemap_cli``; docs/basemaps.md).

May import: core, audit, auth.rules (who may change the base maps), damage.rules, evac_support.rules,
jobs, residents.rules, shelters.rules, tenants, gis, layers.
"""
from flask import Blueprint

bp = Blueprint("maps", __name__, template_folder="templates")
