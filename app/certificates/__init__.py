"""証明書交付, the core: the issuance every channel shares (eligibility, fees, gap-free serials, the
signed PDF, the issuance log, void and reissue), the municipality's certificate layout and fees,
and the public verification (/verify and its API); docs/certificates.md.

Documents kept by another package (the 罹災証明書 and 被災証明書 of the disasters package) come
through ``sources``, which that package registers with when it is discovered. Sub-packages:
``counter`` (窓口交付, らくらく窓口, the print station) and ``statistics`` (issuance statistics,
settlement, office hours, national holidays) build on this one; the kiosk API is an adapter in
app.kiosk.

May import: core, audit, residents, tenants, certificate_engine, certificates.statistics.office_hours
and certificates.statistics.rules (a municipality's office hours decide the weekday-only documents).
Must not import: disasters (it registers its certificates in ``sources``), kiosk, certificates.counter.
"""
from flask import Blueprint

bp = Blueprint("certificates", __name__, template_folder="templates")
