"""The map (docs/map.md): map pages, vector tiles and their shared cache, hazard layer imports
(``layer_services``, ``layer_routes``) and spatial analyses with their expiring results.

May import: core, audit, damage.rules, evac_support.rules, jobs, residents.rules, shelters.rules,
tenants, gis, layers.
"""
from flask import Blueprint

bp = Blueprint("maps", __name__, template_folder="templates")
