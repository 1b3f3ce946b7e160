"""The counter's print station: a page the counter PC keeps open (Chrome with ``--kiosk-printing``
prints straight to its default printer). It polls for らくらく窓口 certificates handed over and not
yet printed, prints each signed PDF and reports it printed."""
from __future__ import annotations

from flask import jsonify, render_template, url_for

from app.certificates import bp
from app.certificates.counter import queue as counter_queue
from app.clock import format_date, today_in_japan
from app.extensions import db
from app.web import current_actor, screen_required

SCREEN = "certificates"


@bp.get("/certificates/queue/printer")
@screen_required(SCREEN)
def print_station():
    return render_template("certificates/print_station.html", day=today_in_japan(),
                           format_date=format_date)


@bp.get("/certificates/queue/print-jobs")
@screen_required(SCREEN)
def print_jobs():
    jobs = counter_queue.print_jobs(db.session, today_in_japan())
    return jsonify({"jobs": [{"id": job.id, "ticket_no": job.ticket_no, "document_type": job.document_type,
                              "pdf_url": url_for("certificates.queue_pdf", entry_id=job.id),
                              "printed_url": url_for("certificates.queue_printed", entry_id=job.id)}
                             for job in jobs]})


@bp.post("/certificates/queue/<id:entry_id>/printed")
@screen_required(SCREEN)
def queue_printed(entry_id: int):
    entry = counter_queue.mark_printed(db.session, current_actor(), entry_id)
    return jsonify({"id": entry.id, "ticket_no": entry.ticket_no, "printed": True})
