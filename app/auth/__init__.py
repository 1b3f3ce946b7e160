"""Staff accounts, roles and screen permissions, login and logout, passwords and their throttling,
the session generation that ends every session of a user (docs/permissions.md).

May import: core, audit, tenants (a user belongs to a municipality; the item display settings on
the role screen).
"""
from flask import Blueprint

bp = Blueprint("auth", __name__, template_folder="templates")
