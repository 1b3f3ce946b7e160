"""The public verification of certificates — /verify (page, no login) and /api/verify/v1/<code>
(JSON), both answering only genuine or not, document type, issue date and 有効/無効 — and the
administration screen of the municipality's certificate layout (mayor, 公印)."""
from __future__ import annotations

import io

from flask import flash, jsonify, redirect, render_template, request, send_file, url_for

from app.certificates import bp, services, wording
from app.certificates.openapi import OPENAPI
from app.errors import Conflict, NotFound, ValidationError
from app.extensions import db
from app.inputs import form_version
from app.web import current_actor, refuse, screen_required


@bp.get("/verify")
def verify():
    typed = request.args.get("code", "").strip()
    result = services.verify(db.session, typed) if typed else None
    return render_template("certificates/verify.html", code=typed, result=result)


@bp.get("/api/verify/v1/openapi.json")
def verify_openapi():
    return jsonify(OPENAPI)


@bp.get("/api/verify/v1/<code>")
def verify_api(code: str):
    return jsonify(services.verify(db.session, code).as_json())


@bp.route("/admin/certificate-layout", methods=["GET", "POST"])
@screen_required("admin")
def layout():
    error, conflict, form = None, None, request.form
    if request.method == "POST":
        seal = request.files.get("seal")
        try:
            services.update_layout(db.session, current_actor(), version=form_version(form),
                                   confirmed=form.get("confirm_changes") == "y",
                                   mayor_title=form.get("mayor_title", ""), mayor_name=form.get("mayor_name", ""),
                                   seal_png=seal.read() if seal and seal.filename else None,
                                   wording=wording.from_form(form), print_fee=form.get("print_fee") == "y")
        except Conflict as exc:
            conflict = refuse(exc)
        except ValidationError as exc:
            error = refuse(exc).message
        else:
            flash("証明書の様式を更新しました。以後に交付する証明書から反映されます。", "success")
            return redirect(url_for("certificates.layout"))
    return render_template("certificates/layout.html", stored=services.get_layout(db.session, current_actor().lg_code),
                           error=error, conflict=conflict, values=form if request.method == "POST" else None,
                           kinds=wording.KINDS, standard_statement=wording.standard_statement)


@bp.get("/admin/certificate-layout/seal.png")
@screen_required("admin")
def seal_image():
    stored = services.get_layout(db.session, current_actor().lg_code)
    if stored is None or not stored.seal_png:
        raise NotFound("公印の画像が設定されていません。")
    return send_file(io.BytesIO(stored.seal_png), mimetype="image/png", max_age=0)
