from flask import Blueprint

bp = Blueprint("maps", __name__, template_folder="templates")

# View modules beside routes.py, imported by create_app() with it: hazard layer imports, analysis, base maps.
VIEW_MODULES = ("layer_routes", "analysis_routes", "basemap_routes")
