"""OGC API – Features at /ogc/ for GIS clients with personal tokens, and the staff screens for
those tokens and the GeoPackage/GeoJSON layer downloads (docs/ogc-api.md).

May import: core, audit, auth.models, damage.rules, maps.basemap_routes (the base maps of the HTML
pages' small map), tenants, layers.
"""
from flask import Blueprint

# Staff screens (session login): personal GIS tokens and layer downloads.
bp = Blueprint("ogc", __name__, template_folder="templates")
# OGC API – Features for GIS clients (QGIS, GDAL), authenticated by a personal token.
api_bp = Blueprint("ogc_api", __name__, url_prefix="/ogc")
