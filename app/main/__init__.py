"""The main menu (the screens a user may open, the disaster being handled) and the health check.

May import: core, auth.rules, disasters.services, tenants.services.
"""
from flask import Blueprint

bp = Blueprint("main", __name__, template_folder="templates")
