"""Card authentication (公的個人認証サービス・利用者証明): challenges, certificate checks and the
certificate → resident mapping that J-LIS provides (docs/card-auth.md).

May import: core, audit, residents, residents.link.tokens (the card readers' API tokens),
certificates.rules (the らくらく窓口 channel a challenge is for).
"""
from flask import Blueprint

bp = Blueprint("cardauth", __name__)
api_bp = Blueprint("cardauth_api", __name__, url_prefix="/api/cardauth/v1")
