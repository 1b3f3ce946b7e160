"""住民情報連携（副本） screens: status, manual upload (Pattern B), batches, generations, tokens,
address points, residents without coordinates, person lookup."""
from __future__ import annotations

from flask import after_this_request, flash, jsonify, redirect, render_template, request, send_file, url_for

from app.audit.services import record
from app.errors import Conflict, ValidationError
from app.extensions import db
from app.inputs import page_number
from app.paging import Page, offset_of
from app.residents import bp, services
from app.residents.forms import AddressPointsForm, BatchUploadForm, EndBatchForm, LocationForm, TokenForm
from app.residents.jobs import chunk_reader
from app.residents.link import generations, recovery, spec, tokens
from app.residents.link.archive import temporary_path
from app.residents.link.receive import receive_batch
from app.web import current_actor, refuse, screen_required

PAGE_SIZE = 50

SCREEN = "residents"


@bp.get("/residents")
@screen_required(SCREEN)
def index():
    return render_template("residents/index.html", status=services.link_status(db.session),
                           batches=services.list_batches(db.session, 20), form=BatchUploadForm(),
                           kinds=spec.KIND_LABELS)


@bp.post("/residents/batches")
@screen_required(SCREEN)
def upload():
    form = BatchUploadForm()
    if not form.validate_on_submit():
        message = " ".join(e for errors in form.errors.values() for e in errors)
        return _upload_answer(None, message, 422)
    path = temporary_path("bcl-batch-", ".zip")
    form.batch.data.save(str(path))
    try:
        actor = current_actor()
        received = receive_batch(db.session, path, lg_code=actor.lg_code, channel="ui", actor=actor)
    except ValidationError as exc:
        refuse(exc)
        return _upload_answer(None, exc.message, exc.status)
    finally:
        path.unlink(missing_ok=True)
    if received.is_duplicate:
        note = "同じ内容のバッチを既に受け付けています。"
    else:
        note = "受け付けました。検証と反映を行っています。"
    return _upload_answer(received.batch.id, note, 200)


def _upload_answer(batch_id: int | None, message: str, status: int):
    """JSON for the page's uploader (XMLHttpRequest), a redirect with a message otherwise."""
    target = url_for("residents.batch", batch_id=batch_id) if batch_id else url_for("residents.index")
    if request.headers.get("X-Requested-With") == "XMLHttpRequest":
        return jsonify({"ok": batch_id is not None, "message": message, "location": target}), status
    flash(message, "success" if batch_id else "error")
    return redirect(target)


@bp.get("/residents/batches/<id:batch_id>")
@screen_required(SCREEN)
def batch(batch_id: int):
    return _batch_page(batch_id, EndBatchForm())


@bp.post("/residents/batches/<id:batch_id>/end")
@screen_required(SCREEN)
def end_batch(batch_id: int):
    form = EndBatchForm()
    if not form.validate_on_submit():
        return _batch_page(batch_id, form, 422)
    try:
        ended = recovery.end_stuck_batch(db.session, current_actor(), batch_id, form.reason.data)
    except (ValidationError, Conflict) as exc:
        refuse(exc)
        return _batch_page(batch_id, form, exc.status, refusal=exc.message)
    flash(f"連番 {ended.sequence_no} のバッチの処理を終了しました（未反映）。同じ連番で送り直せます。", "success")
    return redirect(url_for("residents.batch", batch_id=batch_id))


def _batch_page(batch_id: int, end_form: EndBatchForm, status: int = 200, refusal: str | None = None):
    item = services.get_batch(db.session, batch_id)
    job = services.batch_job(db.session, item)
    return render_template("residents/batch.html", batch=item, job=job, end_form=end_form, refusal=refusal,
                           processing=recovery.processing_state(db.session, item, job),
                           errors=services.batch_errors(db.session, batch_id, 0, 200), kinds=spec.KIND_LABELS), status


@bp.get("/residents/generations")
@screen_required(SCREEN)
def generation_list():
    return render_template("residents/generations.html", generations=generations.list_generations(db.session),
                           kinds=spec.KIND_LABELS)


@bp.get("/residents/generations/<id:number>/export")
@screen_required(SCREEN)
def export(number: int):
    path = generations.export_generation(db.session, number, generations.temporary_zip(), chunk_reader(db.session))
    record(db.session, current_actor(), "link_export", "generation", [number], channel="ui")

    @after_this_request
    def _cleanup(response):
        response.call_on_close(lambda: path.unlink(missing_ok=True))
        return response

    return send_file(path, mimetype="application/zip", as_attachment=True,
                     download_name=f"bcl-{current_actor().lg_code}-generation-{number}.zip")


@bp.route("/residents/tokens", methods=["GET", "POST"])
@screen_required(SCREEN)
def token_list():
    form, issued = TokenForm(), None
    if form.validate_on_submit():
        token, issued = tokens.create_token(db.session, current_actor(), form.name.data, form.purpose.data)
        flash(f"連携トークン「{token.name}」を発行しました。この画面を離れると二度と表示されません。", "warning")
    return render_template("residents/tokens.html", form=form, issued=issued, tokens=tokens.list_tokens(db.session),
                           purposes=tokens.PURPOSES)


@bp.post("/residents/tokens/<id:token_id>/revoke")
@screen_required(SCREEN)
def token_revoke(token_id: int):
    token = tokens.revoke_token(db.session, current_actor(), token_id)
    flash(f"連携トークン「{token.name}」を失効させました。", "success")
    return redirect(url_for("residents.token_list"))


@bp.route("/residents/address-points", methods=["GET", "POST"])
@screen_required(SCREEN)
def address_points():
    form, result = AddressPointsForm(), None
    if form.validate_on_submit():
        try:
            result = services.load_address_points(db.session, current_actor(), form.data.data.read())
        except ValidationError as exc:
            form.data.errors.append(refuse(exc).message)
    return render_template("residents/address_points.html", form=form, result=result,
                           status=services.link_status(db.session))


@bp.get("/residents/unlocated")
@screen_required(SCREEN)
def unlocated():
    number = page_number(request.args, PAGE_SIZE)
    total, people = services.unlocated_residents(db.session, limit=PAGE_SIZE, offset=offset_of(number, PAGE_SIZE))
    record(db.session, current_actor(), "record_view", "resident", [p.atena_no for p in people], screen="unlocated")
    return render_template("residents/unlocated.html", page=Page(number, PAGE_SIZE, total, people, unit="人"))


@bp.route("/residents/people/<atena_no>/location", methods=["GET", "POST"])
@screen_required(SCREEN)
def place(atena_no: str):
    form = LocationForm()
    if form.validate_on_submit():
        services.set_resident_location(db.session, current_actor(), atena_no, form.lat.data, form.lon.data)
        flash("位置を設定しました。", "success")
        return redirect(url_for("residents.unlocated"))
    person = services.get_resident(db.session, current_actor(), atena_no)
    from app.maps.basemap_routes import page_basemap_configs
    from app.maps.services import data_extent
    from app.tenants.services import get_municipality

    municipality = get_municipality(db.session, person.lg_code)
    # A page about one person: the server's base maps only, never an outside host.
    return render_template("residents/place.html", person=person, form=form, municipality=municipality,
                           extent=data_extent(db.session), basemaps=page_basemap_configs(person.lg_code, personal=True))


@bp.get("/residents/lookup")
@screen_required(SCREEN)
def lookup():
    query, found, error = request.args.get("q", ""), (0, []), None
    number = page_number(request.args, PAGE_SIZE)
    if query:
        try:
            found = services.find_residents(db.session, current_actor(), query, limit=PAGE_SIZE,
                                            offset=offset_of(number, PAGE_SIZE))
        except ValidationError as exc:
            error = refuse(exc).message
    return render_template("residents/lookup.html", query=query, page=Page(number, PAGE_SIZE, *found, unit="人"),
                           error=error)


@bp.get("/residents/people/<atena_no>")
@screen_required(SCREEN)
def person(atena_no: str):
    resident = services.get_resident(db.session, current_actor(), atena_no)
    return render_template("residents/person.html", person=resident,
                           records=services.person_records(db.session, resident))
