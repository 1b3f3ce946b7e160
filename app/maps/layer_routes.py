"""ハザードレイヤの取込: upload a file (a job imports it, with a progress bar), the report, the list
of layers with counts, and deleting a layer."""
from __future__ import annotations

from flask import flash, jsonify, redirect, render_template, request, url_for

from app.errors import ValidationError
from app.extensions import db
from app.inputs import form_integer
from app.maps import bp, layer_services
from app.maps.forms import LayerUploadForm
from app.web import current_actor, refuse, screen_required

SCREEN = "hazard"


@bp.get("/map/layers/import")
@screen_required(SCREEN)
def layers():
    return render_template("maps/layers.html", form=LayerUploadForm(), summary=layer_services.layer_summary(db.session),
                           uploads=layer_services.recent_uploads(db.session))


@bp.post("/map/layers/import")
@screen_required(SCREEN)
def layer_upload():
    form = LayerUploadForm()
    if not form.validate_on_submit():
        return _answer(None, " ".join(e for errors in form.errors.values() for e in errors), 422)
    try:
        upload = layer_services.receive_upload(
            db.session, current_actor(), layer_code=form.layer.data, filename=form.file.data.filename,
            data=form.file.data.read(), declared_epsg=form_integer(form.crs.data),
            class_field=form.class_field.data)
    except ValidationError as exc:
        refuse(exc)
        return _answer(None, exc.message, exc.status)
    return _answer(upload.id, "受け付けました。取込を行っています。", 200)


def _answer(upload_id: int | None, message: str, status: int):
    """JSON for the page's uploader (XMLHttpRequest), a redirect with a message otherwise."""
    target = url_for("maps.layer_import", upload_id=upload_id) if upload_id else url_for("maps.layers")
    if request.headers.get("X-Requested-With") == "XMLHttpRequest":
        return jsonify({"ok": upload_id is not None, "message": message, "location": target}), status
    flash(message, "success" if upload_id else "error")
    return redirect(target)


@bp.get("/map/layers/imports/<id:upload_id>")
@screen_required(SCREEN)
def layer_import(upload_id: int):
    upload, job = layer_services.get_upload(db.session, upload_id)
    return render_template("maps/layer_import.html", upload=upload, job=job,
                           layer=layer_services.layer_or_error(upload.layer_code))


@bp.post("/map/layers/<layer_code>/delete")
@screen_required(SCREEN)
def layer_delete(layer_code: str):
    if request.form.get("confirm") != "y":
        flash("削除するには確認のチェックを入れてください。", "error")
        return redirect(url_for("maps.layers"))
    removed = layer_services.delete_layer(db.session, current_actor(), layer_code)
    flash(f"{layer_services.layer_or_error(layer_code).name}の区域 {removed:,}件を削除しました。", "success")
    return redirect(url_for("maps.layers"))
