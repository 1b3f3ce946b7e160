"""避難所 (docs/shelters.md): shelters, openings, evacuees and their check-in with a card or QR code,
the desk and the board; the shelter files in ``registry`` (import, export), ``opendata``
(デジタル庁 推奨データセット), ``gsi`` (国土地理院 lists), ``csvcheck`` (what both readers share).

May import: core, audit, auth.models, cardauth, disasters, residents, tenants.
"""
from flask import Blueprint

bp = Blueprint("shelters", __name__, template_folder="templates")
