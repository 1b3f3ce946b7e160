"""Issuance statistics and the monthly settlement (docs/certificate-statistics.md): counts by
document, channel and store operator, the fees, commissions and BCL fees owed, refunds, the
downloadable tables and the ``flask certificates statistics`` command; and the calendar they
need, which issuance uses too: each municipality's office hours (``office_hours``, ``rules``) and
the national holidays (``holidays``).

May import: core, audit, certificates, tenants, kiosk.refunds (a month's kiosk refunds).
Must not import: disasters, certificates.counter.
"""
