"""What the disasters package registers with other packages: its 罹災証明書 and 被災証明書 as a
certificate document source (``app.certificates.sources``), so that a kiosk or らくらく窓口 prints a
further copy of the certificate the counter issued on the household's application."""
from __future__ import annotations

from sqlalchemy.orm import Session

from app.certificates import sources
from app.disasters import applications, rules


def issued_certificate(session: Session, kind: str, resident_id: int, options: dict) -> sources.SourceRecord | None:
    """The certificate of ``kind`` issued on the application of the resident's household (that of
    ``options["disaster_id"]``, or the latest disaster's): its grade and its next copy."""
    application = applications.household_certificate(session, resident_id, options.get("disaster_id"), kind)
    if application is None:
        return None
    return sources.SourceRecord(final_grade=application.issued_grade or "",
                                next_copy=lambda s: applications.certificate_copy(s, application))


sources.register(sources.DocumentSource("disasters", rules.CERTIFICATE_KINDS, issued_certificate))
