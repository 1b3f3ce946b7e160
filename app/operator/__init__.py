"""The operator's (J-LIS) screens: municipalities and their counts, and the issuance statistics and
settlement across municipalities. Aggregates only, never personal records.

May import: core, tenants, certificates.statistics.
"""
from flask import Blueprint

bp = Blueprint("operator", __name__, template_folder="templates")
