"""The audit log: the append-only record of who viewed, exported or changed which personal records
(``services.record`` with an explicit ``Actor``), the action codes with their Japanese labels, and
the screen that reads it, each entry's detail as Japanese labels and values (``details``). Every
other package writes here; this one reads only the names other packages give their codes.

May import: core, auth.rules, cardauth.rules, certificates.rules, disasters.rules, maps.analysis,
maps.tiles, layers (the Japanese names of the codes an entry's detail holds).
"""
from flask import Blueprint

bp = Blueprint("audit", __name__, template_folder="templates")
