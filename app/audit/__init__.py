"""The audit log: the append-only record of who viewed, exported or changed which personal records
(``services.record`` with an explicit ``Actor``), the action codes with their Japanese labels, and
the screen that reads it. Every other room writes here; this one depends on none of them.

May import: core.
"""
from flask import Blueprint

bp = Blueprint("audit", __name__, template_folder="templates")
