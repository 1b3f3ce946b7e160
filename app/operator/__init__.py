"""The operator's (J-LIS) screens: municipalities and their counts, the operator accounts, and the
issuance statistics and settlement across municipalities. Aggregates only, never personal records.

May import: core, tenants, certificates.statistics, auth.services and auth.admin_routes (the
operator accounts and their password reset, the page administrators of a municipality use too).
"""
from flask import Blueprint

bp = Blueprint("operator", __name__, template_folder="templates")
