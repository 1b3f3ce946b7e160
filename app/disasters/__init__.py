"""Disasters and what follows them (docs/victim-support.md): the 被災者台帳 (``victims``), its
registered 提供先 and the provisions to them (``recipients``, 90条の4), 罹災証明書 and 被災証明書
applications and their issue (``applications``, the online API in ``api``), support programmes
(``support``). ``hooks`` registers the certificates with app.certificates.sources, so kiosks print
copies of them without the certificates importing this package.

May import: core, audit, auth.rules, certificates, certificate_engine, damage, maps.models (the
administrative areas a disaster struck), residents, residents.link.tokens (the API's tokens), tenants.
"""
from flask import Blueprint

bp = Blueprint("disasters", __name__, template_folder="templates")
api_bp = Blueprint("applications_api", __name__, url_prefix="/api/applications/v1")
