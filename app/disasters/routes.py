"""Disasters (selection, registration), the 被災者支援 menu and the 被災者台帳 screens."""
from __future__ import annotations

from datetime import date

from flask import flash, redirect, render_template, request, session, url_for

from app.auth import rules
from app.certificates.web import current_issuer, pdf_response
from app.clock import today_in_japan
from app.damage import services as damage_services
from app.disasters import applications, bp, recipients, services, support, victims
from app.disasters import rules as rules_of_disasters
from app.disasters.forms import CertificateApplicationForm, DisasterForm, VictimForm
from app.downloads import internal_marking, provision_marking, spreadsheet_response
from app.errors import Conflict, InvalidInput, ValidationError
from app.exports import ENCODINGS
from app.extensions import db
from app.inputs import form_id, form_integer, form_version, link_id, page_number
from app.paging import Page, offset_of
from app.tenants.items import VICTIM_REGISTER, register_items
from app.web import chosen_disaster, current_actor, disaster_required, refuse, safe_next, screen_required


@bp.post("/disasters/select")
@screen_required(rules.LOGIN_ONLY)
def select():
    disaster_id = form_id(request.form, "disaster_id")
    if disaster_id is not None:
        disaster = services.get_disaster(db.session, disaster_id)
        session["disaster_id"] = disaster.id
        flash(f"災害「{disaster.name}」を選択しました。", "success")
    else:
        session.pop("disaster_id", None)
        flash("平時モードに切り替えました。", "info")
    return redirect(safe_next(request.form.get("next")) or url_for("main.index"))


@bp.get("/disasters")
@screen_required("disaster_register")
def index():
    """Every disaster of the municipality, ongoing first, each linked to its page."""
    return render_template("disasters/index.html", disasters=services.list_disasters(db.session))


@bp.route("/disasters/new", methods=["GET", "POST"])
@screen_required("disaster_register")
def new():
    form = DisasterForm()
    if form.validate_on_submit():
        try:
            disaster = services.create_disaster(db.session, current_actor(), **_values(form))
        except ValidationError as error:
            form.name.errors.append(refuse(error).message)
        else:
            session["disaster_id"] = disaster.id
            flash(f"災害「{disaster.name}」を登録し、選択しました。", "success")
            return redirect(url_for("disasters.show", disaster_id=disaster.id))
    return render_template("disasters/new.html", form=form)


@bp.get("/disasters/<id:disaster_id>")
@screen_required("disaster_register")
def show(disaster_id: int):
    disaster = services.get_disaster(db.session, disaster_id)
    return render_template("disasters/show.html", disaster=disaster, areas=victims.area_choices(db.session),
                           affected=services.affected_area_codes(db.session, disaster))


@bp.post("/disasters/<id:disaster_id>/areas", defaults={"what": "areas"})
@bp.post("/disasters/<id:disaster_id>/status", defaults={"what": "status"})
@screen_required("disaster_register")
def update(disaster_id: int, what: str):
    version = form_version(request.form)
    try:
        if what == "areas":
            services.set_affected_areas(db.session, current_actor(), disaster_id,
                                        area_codes=request.form.getlist("area"), version=version)
        else:
            services.set_status(db.session, current_actor(), disaster_id, status=request.form.get("status", ""),
                                version=version)
    except (Conflict, ValidationError) as exc:
        flash(refuse(exc).message, "error")
    else:
        flash("災害の情報を更新しました。", "success")
    return redirect(url_for("disasters.show", disaster_id=disaster_id))


def _values(form: DisasterForm) -> dict:
    return {name: getattr(form, name).data for name in (
        "name", "kind", "started_on", "is_relief_act_applied", "is_support_act_applied", "description")}


@bp.get("/victims", endpoint="victims")
@screen_required("victims")
def victims_menu():
    return render_template("disasters/victims.html")


@bp.get("/victims/register")
@screen_required("victims")
def register():
    disaster = chosen_disaster()
    query, care_only = request.args.get("q", ""), request.args.get("care") == "1"
    page = page_number(request.args, PAGE_SIZE)
    total, rows = (victims.list_victims(db.session, disaster.id, query=query, care_only=care_only,
                                        limit=PAGE_SIZE, offset=offset_of(page, PAGE_SIZE)) if disaster else (0, []))
    return render_template("disasters/register.html", disaster=disaster,
                           page=Page(page, PAGE_SIZE, total, rows, unit="人"), total=total, q=query,
                           care_only=care_only,
                           areas=victims.area_choices(db.session), encodings=ENCODINGS,
                           recipients=recipients.list_recipients(db.session, active_only=True),
                           provisions=recipients.provisions(db.session, disaster.id) if disaster else [])


PAGE_SIZE = 100
SEARCH_PAGE_SIZE = 50


@bp.post("/victims/register/build")
@screen_required("victims")
@disaster_required("disasters.register")
def build_register(disaster):
    try:
        result = victims.build_register(db.session, current_actor(), disaster.id,
                                        area_codes=request.form.getlist("area"),
                                        whole_disaster_area=request.form.get("whole") == "y",
                                        building_id=form_id(request.form, "building_id"),
                                        atena_no=request.form.get("atena_no") or None)
    except ValidationError as exc:
        flash(refuse(exc).message, "error")
    else:
        flash(f"被災者台帳に {result.households} 世帯・{result.persons} 人を追加しました。", "success")
    return redirect(url_for("disasters.register"))


@bp.route("/victims/register/new", methods=["GET", "POST"])
@screen_required("victims")
@disaster_required("disasters.register")
def add_victim(disaster):
    form = VictimForm()
    if form.validate_on_submit():
        try:
            victim = victims.add_by_hand(db.session, current_actor(), disaster.id, **form.values())
        except ValidationError as exc:
            form.name.errors.append(refuse(exc).message)
        else:
            flash(f"「{victim.name}」さんを被災者台帳に登録しました。", "success")
            return redirect(url_for("disasters.victim", victim_id=victim.id))
    return render_template("disasters/victim_new.html", form=form, disaster=disaster)


@bp.route("/victims/register/<id:victim_id>", methods=["GET", "POST"])
@screen_required("victims")
def victim(victim_id: int):
    version = form_version(request.form) if request.method == "POST" else None
    found = victims.view_victim(db.session, current_actor(), victim_id)
    own_items = register_items(db.session, VICTIM_REGISTER, visible_only=True)
    error, conflict, values, optional, consents = None, None, None, None, None
    if request.method == "POST":
        values = {key: request.form.get(key, "") for key in victims.EDITABLE}
        optional = {item.key: request.form.get(f"opt_{item.key}", "") for item in own_items}
        # The form marks that it showed the consent boxes: unticking every box is a choice too.
        consents = request.form.getlist("consented_recipient") if "consents_shown" in request.form else None
        try:
            victims.update_victim(db.session, current_actor(), found.id, version=version,
                                  confirmed=request.form.get("confirm_changes") == "y", values=values,
                                  optional=optional, consents=consents)
        except (Conflict, ValidationError) as exc:
            refuse(exc)
            # The refusal rolled back the viewing too: the page shows the person again, audited again.
            found = victims.view_victim(db.session, current_actor(), victim_id)
            conflict, error = (exc, None) if isinstance(exc, Conflict) else (None, exc.message)
        else:
            flash("被災者台帳を更新しました。", "success")
            return redirect(url_for("disasters.victim", victim_id=found.id))
    return render_template("disasters/victim.html", victim=found, labels=victims.LABELS, error=error,
                           conflict=conflict, values=values or {k: getattr(found, k) for k in victims.EDITABLE},
                           own_items=own_items, optional=optional or dict(found.optional_items or {}),
                           members=victims.household_members(db.session, found),
                           recipients=recipients.list_recipients(db.session),
                           consented=set(consents if consents is not None else
                                         map(str, found.consented_recipient_ids or []))), \
        409 if conflict else 422 if error else 200


@bp.get("/victims/register/export")
@screen_required("victims")
@disaster_required("disasters.register")
def export_register(disaster):
    # A file for a third party is only ever a recorded provision (90条の4): a link asking this
    # export for one is refused, never answered with the staff's full file.
    if "third_party" in request.args:
        raise InvalidInput("第三者に渡す被災者台帳は、「外部への提供（90条の4）」で提供先を選び、提供を記録して"
                           "作成してください。", code="provision_required")
    file_format = request.args.get("format", "csv")
    victims.export_register(db.session, current_actor(), disaster.id, file_format=file_format)
    return spreadsheet_response(f"被災者台帳_{disaster.name}", "被災者台帳", victims.export_header(db.session),
                                lambda session: victims.register_rows(session, disaster.id), file_format,
                                request.args.get("encoding", "utf-8-sig"), widths=XLSX_WIDTHS,
                                marking=internal_marking())


@bp.route("/victims/register/provide", methods=["GET", "POST"])
@screen_required("victims")
@disaster_required("disasters.register")
def provide_register(disaster):
    """GET: the confirmation page of the provision asked for (nothing is recorded). POST, from
    that page's form: the provision recorded and its file."""
    values = request.form if request.method == "POST" else request.args
    form_id(values, "recipient_id")  # a tampered id is a stale form; the service reads the chosen one
    chosen = {"recipient_id": values.get("recipient_id", ""), "purpose": values.get("purpose", ""),
              "basis": values.get("basis", "")}
    file_format, encoding = values.get("format", "csv"), values.get("encoding", "utf-8-sig")
    try:
        if request.method == "GET":
            plan = recipients.plan_provision(db.session, disaster.id, **chosen)
            return render_template("disasters/provide_confirm.html", disaster=disaster, plan=plan,
                                   file_format=file_format, encoding=encoding, encodings=ENCODINGS)
        provision = recipients.provide_register(db.session, current_actor(), disaster.id, **chosen)
    except ValidationError as exc:
        flash(refuse(exc).message, "error")
        return redirect(url_for("disasters.register", _anchor="provide-form"))
    return spreadsheet_response(f"被災者台帳_{disaster.name}_提供_{provision.recipient}", "被災者台帳",
                                victims.export_header(db.session, for_recipient=True),
                                lambda session: victims.register_rows(session, disaster.id, provision=provision),
                                file_format, encoding, widths=XLSX_WIDTHS,
                                marking=provision_marking(provision.recipient))


XLSX_WIDTHS = (14, 16, 20, 16, 6, 10, 36, 16, 20, 14, 24, 24, 20, 10, 30)


@bp.get("/victims/certificates")
@screen_required("victims")
@disaster_required("disasters.register")
def applications_list(disaster):
    status = request.args.get("status", "")
    return render_template("disasters/applications.html", disaster=disaster, status=status,
                           rows=applications.list_applications(db.session, disaster.id, status))


@bp.route("/victims/certificates/new", methods=["GET", "POST"])
@screen_required("victims")
@disaster_required("disasters.register")
def new_application(disaster):
    form = CertificateApplicationForm()
    building = None
    building_id = link_id(request.args, "building_id")
    if request.method == "GET" and building_id is not None:
        building = damage_services.get_building(db.session, building_id)
        form.building_id.data, form.applicant_address.data = str(building.id), building.address
        form.cause.data = disaster.kind
    if form.validate_on_submit():
        try:
            created = applications.create_application(db.session, current_actor(), disaster.id, **form.values())
        except ValidationError as exc:
            form.applicant_name.errors.append(refuse(exc).message)
        else:
            flash(f"{created.kind}の申請を受け付けました。", "success")
            return redirect(url_for("disasters.application", application_id=created.id))
    return render_template("disasters/application_new.html", form=form, disaster=disaster, building=building)


@bp.get("/victims/certificates/<id:application_id>")
@screen_required("victims")
def application(application_id: int):
    found = applications.get_application(db.session, application_id)
    state = applications.survey_state(db.session, found)
    target, why = rules_of_disasters.next_status(found.kind, found.status, state)
    return render_template("disasters/application.html", application=found, state=state, target=target, why=why,
                           issues=applications.issues_of(db.session, found.id),
                           pdfs=applications.issued_pdfs(db.session, found.id),
                           building=damage_services.get_building(db.session, found.building_id)
                           if found.building_id else None)


@bp.get("/victims/certificates/<id:application_id>/resurvey")
@screen_required("victims")
def confirm_resurvey(application_id: int):
    """The confirmation step of a 再調査依頼: what it reopens, then a form that posts the request."""
    found = applications.get_application(db.session, application_id)
    target, _ = rules_of_disasters.next_status(found.kind, found.status, applications.survey_state(db.session, found))
    if target != rules_of_disasters.RESURVEY_REQUESTED:
        flash("この申請は、いまは再調査の依頼を受け付けられる状態ではありません。", "info")
        return redirect(url_for("disasters.application", application_id=found.id))
    return render_template("disasters/resurvey_confirm.html", application=found,
                           building=damage_services.get_building(db.session, found.building_id)
                           if found.building_id else None)


@bp.post("/victims/certificates/<id:application_id>/advance")
@screen_required("victims")
def advance_application(application_id: int):
    try:
        moved = applications.advance(db.session, current_actor(), application_id,
                                     version=form_version(request.form), issuer=current_issuer(),
                                     resurvey_confirmed=request.form.get("confirm_resurvey") == "y")
    except (Conflict, ValidationError) as exc:
        flash(refuse(exc).message, "error")
    else:
        message = f"証明書を交付しました（証明番号 {moved.certificate_no}）。" if moved.status == "交付" \
            else f"申請を「{moved.status}」に進めました。"
        flash(message, "success")
    return redirect(url_for("disasters.application", application_id=application_id))


@bp.get("/victims/certificates/<id:application_id>/certificate.pdf")
@screen_required("victims")
def certificate_pdf(application_id: int):
    issued_id = link_id(request.args, "issued")
    try:
        issued = applications.certificate_pdf(db.session, current_actor(), application_id, issued_id)
    except ValidationError as exc:
        flash(refuse(exc).message, "error")
        return redirect(url_for("disasters.application", application_id=application_id))
    return pdf_response(issued)


@bp.post("/victims/certificates/<id:application_id>/reissue")
@screen_required("victims")
def reissue_certificate(application_id: int):
    try:
        moved = applications.reissue(db.session, current_actor(), current_issuer(), application_id,
                                     version=form_version(request.form), reason=request.form.get("reason", ""))
    except (Conflict, ValidationError) as exc:
        flash(refuse(exc).message, "error")
    else:
        flash(f"証明書を再交付しました（証明番号 {moved.certificate_no}）。以前の証明書は無効になりました。", "success")
    return redirect(url_for("disasters.application", application_id=application_id))


@bp.get("/victims/support")
@screen_required("victims")
@disaster_required("disasters.register")
def support_home(disaster):
    query = request.args.get("q", "")
    number = page_number(request.args, SEARCH_PAGE_SIZE)
    total, found = (victims.list_victims(db.session, disaster.id, query=query, limit=SEARCH_PAGE_SIZE,
                                         offset=offset_of(number, SEARCH_PAGE_SIZE)) if query else (0, []))
    return render_template("disasters/support.html", disaster=disaster, q=query,
                           page=Page(number, SEARCH_PAGE_SIZE, total, found, unit="人"),
                           totals=support.totals(db.session, disaster.id),
                           warnings=support.deadline_warnings(disaster, today_in_japan()))


@bp.get("/victims/support/households/<id:household_id>")
@screen_required("victims")
def support_household(household_id: int):
    household = support.get_household(db.session, household_id)
    disaster = services.get_disaster(db.session, household.disaster_id)
    return render_template("disasters/support_household.html", household=household, disaster=disaster,
                           eligibility=support.eligibility(db.session, household),
                           members=victims.household_victims(db.session, household.id),
                           applications=support.household_applications(db.session, household.id),
                           programmes=rules_of_disasters.PROGRAMMES, plans=rules_of_disasters.PLANS,
                           names=rules_of_disasters.PROGRAMME_NAMES,
                           amounts=rules_of_disasters.PROGRAMME_AMOUNTS, today=today_in_japan(),
                           warnings=support.deadline_warnings(disaster, today_in_japan()))


@bp.post("/victims/support/households/<id:household_id>/applications")
@screen_required("victims")
def support_apply(household_id: int):
    form = request.form
    try:
        victim_id = form_id(form, "victim_id")
        support.apply(db.session, current_actor(), household_id, programme=form.get("programme", ""),
                      applied_on=_form_date(form.get("applied_on")), plan=form.get("plan", ""), victim_id=victim_id,
                      demolished=form.get("demolished") == "y", long_term_evacuation=form.get("evacuation") == "y",
                      breadwinner=form.get("breadwinner") == "y")
    except ValidationError as exc:
        flash(refuse(exc).message, "error")
    else:
        flash("支援制度の申請を受け付けました。", "success")
    return redirect(url_for("disasters.support_household", household_id=household_id))


@bp.post("/victims/support/applications/<id:application_id>/decide", defaults={"step": "decide"})
@bp.post("/victims/support/applications/<id:application_id>/pay", defaults={"step": "pay"})
@screen_required("victims")
def support_step(application_id: int, step: str):
    form, version = request.form, form_version(request.form)
    found = support.get_support_application(db.session, application_id)
    try:
        if step == "decide":
            amount = form.get("amount", "").replace(",", "")
            support.decide(db.session, current_actor(), found.id, version=version, grant=form.get("grant") == "y",
                           decided_on=_form_date(form.get("on")), amount=form_integer(amount))
        else:
            support.pay(db.session, current_actor(), found.id, version=version, paid_on=_form_date(form.get("on")))
    except (Conflict, ValidationError) as exc:
        flash(refuse(exc).message, "error")
    else:
        flash("記録しました。", "success")
    return redirect(url_for("disasters.support_household", household_id=found.household_id))


def _form_date(raw: str | None) -> date:
    try:
        return date.fromisoformat((raw or "").strip())
    except ValueError as exc:
        raise ValidationError("日付を正しく入力してください（例: 2026-12-01）。", code="date_invalid") from exc

