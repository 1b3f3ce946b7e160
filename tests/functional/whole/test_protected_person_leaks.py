"""支援措置 (DV etc.): a person planted in the demo town (fixtures/protected_person.py) — with an
address, 方書 and telephone no one else has, on the 被災者台帳, the 避難行動要支援者名簿, at a shelter
and on the map — must never be found through any output a third party or a role without the right
gets. Each output below is fetched as its user would fetch it, read back with an independent
reader (CSV in both encodings, openpyxl, pdftotext, pyogrio, a protobuf reader for vector tiles)
and scanned for those values and for map features of the person: zero hits.

A new output is one line in OUTPUTS. ``shows`` says what the output must contain for the scan
to mean something (the person's name where the output lists them without contact, or any feature
where it is a map), so a test cannot pass just because the output came back empty.
"""
from __future__ import annotations

import io
import json
import math
import re
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import pyogrio
import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select, text

from app.evac_support.models import RosterProvision
from app.extensions import db as database
from app.jobs.services import Worker
from app.residents.models import Resident
from fixtures import protected_person
from fixtures.protected_person import PlantedPerson
from tests.helpers.database import tenant_session
from tests.helpers.demo import DEMO_CODE
from tests.helpers.evac_support import provide
from tests.helpers.mvt_reader import decode
from tests.helpers.web import Browser, new_browser


@pytest.fixture()
def planted(db) -> PlantedPerson:
    session = tenant_session(DEMO_CODE)
    person = protected_person.plant(session, DEMO_CODE)
    session.commit()
    session.close()
    return person


# --- readers: each turns a response into the text that is scanned ---------------------------------

def _ok(response) -> bytes:
    assert response.status_code in (200, 204), (response.status_code, response.get_data(as_text=True)[:300])
    data = response.get_data()
    response.close()
    return data


def as_text(response) -> str:
    return _ok(response).decode("utf-8")


def refused(response) -> str:
    """A role without the right gets the refusal page, and nothing else."""
    assert response.status_code == 403, response.status_code
    return response.get_data(as_text=True)


def as_json(response) -> str:
    """JSON with its characters as they are (a serialiser may write Japanese as \\u escapes)."""
    return json.dumps(json.loads(_ok(response)), ensure_ascii=False)


def cp932(response) -> str:
    return _ok(response).decode("cp932")


def xlsx(response) -> str:
    sheet = load_workbook(io.BytesIO(_ok(response)), read_only=True).active
    return "\n".join(",".join("" if v is None else str(v) for v in row) for row in sheet.iter_rows(values_only=True))


def pdf(response) -> str:
    found = subprocess.run(["pdftotext", "-layout", "-", "-"], input=_ok(response), capture_output=True, check=True)
    return found.stdout.decode()


def geojson(response) -> str:
    """The document itself, then one ``<evac-person id>`` token per feature (ids are the layer's)."""
    document = json.loads(_ok(response))
    return json.dumps(document, ensure_ascii=False) + "".join(f"<evac-person {f.get('id')}>"
                                                              for f in document["features"])


def ogc_html(response) -> str:
    """An OGC items page, and a ``<evac-person id>`` token per feature it links to."""
    page = as_text(response)
    return page + "".join(f"<evac-person {i}>" for i in re.findall(r"/items/(\d+)", page))


def geopackage(response) -> str:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "layer.gpkg"
        path.write_bytes(_ok(response))
        frame = pyogrio.read_dataframe(path)
    return frame.to_csv() + "".join(f"<evac-person {i}>" for i in frame["地物ID"])


def tile(kind: str) -> Callable:
    """A vector tile decoded: its properties, and a ``<kind id>`` token per feature (the layers
    carry the record id as the ``id`` property)."""
    def read(response) -> str:
        data = _ok(response)
        layers = decode(data) if data else {}
        return "".join(f"{f['properties']}<{kind} {f['properties'].get('id', f['id'])}>"
                       for layer in layers.values() for f in layer["features"])
    return read


# --- what the scan must find for it to mean something ----------------------------------------------

def name_of(person: PlantedPerson, seen: str) -> bool:
    return person.name in seen or person.name.replace("\u3000", "") in seen.replace(" ", "").replace("\u3000", "")


def features(person: PlantedPerson, seen: str) -> bool:
    return "<" in seen


# --- how each output is fetched ------------------------------------------------------------------

def home_tile(prefix: str, z: int) -> Callable[[Browser, PlantedPerson], object]:
    """The tile ``prefix``/z/x/y.pbf that holds the person's home."""
    def fetch(browser: Browser, person: PlantedPerson):
        n = 2 ** z
        x = int((person.lon + 180) / 360 * n)
        y = int((1 - math.asinh(math.tan(math.radians(person.lat))) / math.pi) / 2 * n)
        return browser.get(f"{prefix}/{z}/{x}/{y}.pbf")
    return fetch


def get(path: str, **query) -> Callable[[Browser, PlantedPerson], object]:
    """A plain GET of ``path`` with ``query`` (``{p.…}`` in either filled from the planted person)."""
    return lambda browser, person: browser.get(path.format(p=person),
                                               query_string={k: v.format(p=person) for k, v in query.items()})


def opened(browser: Browser, person: PlantedPerson, suffix: str = ""):
    return browser.get(f"/shelters/openings/{person.opening_id}{suffix}")


def roster(browser: Browser, person: PlantedPerson, **args):
    return provide(browser, "/evac-support/roster", recipient="桜ヶ丘消防署", mode="平常時", **args)


def provision_page(browser: Browser, person: PlantedPerson):
    roster(browser, person).close()
    session = tenant_session(DEMO_CODE)
    latest = session.scalar(select(func.max(RosterProvision.id)))
    session.close()
    return browser.get(f"/evac-support/provisions/{latest}")


def victim_provision(file_format: str = "csv", encoding: str = "utf-8-sig") -> Callable:
    """The 被災者台帳 provided (90条の4) to the recipient the person consented to, as staff make it:
    through the confirmation page and its form."""
    def fetch(browser: Browser, person: PlantedPerson):
        query = {"recipient_id": str(person.recipient_id), "purpose": "見守り", "basis": "本人同意",
                 "format": file_format, "encoding": encoding}
        confirmation = f"/victims/register/provide?{urlencode(query)}"
        return browser.post("/victims/register/provide", query, form_page=confirmation)
    return fetch


def household_copy(browser: Browser, person: PlantedPerson):
    """A 住民票の写し 世帯全員 issued at the counter to someone sharing the person's household, the
    decision on the person left as the form preselects it (省略)."""
    session = tenant_session(DEMO_CODE)
    member = session.scalars(select(Resident).where(Resident.status == "住登内", Resident.is_household_head,
                                                    Resident.is_protected.is_(False), Resident.removed_on.is_(None),
                                                    Resident.birth_date < person.birth_date.replace(year=2000))
                             .order_by(Resident.id)).first()
    member.household_no, member.is_household_head = person.household_no, True
    session.commit()
    session.close()
    page = f"/certificates/counter/{member.atena_no}"
    assert 'id="household-protection-warning"' in browser.get(page).get_data(as_text=True)
    issued = browser.post(f"{page}/issue", {"document_type": "住民票の写し", "household": "y",
                                            f"decision_{person.atena_no}": "省略"}, form_page=page)
    assert issued.status_code == 302, issued.get_data(as_text=True)
    return browser.get(issued.headers["Location"])


def analysis(suffix: str = "", **query) -> Callable[[Browser, PlantedPerson], object]:
    """A 空間分析 of the flood layer run as its job (the person's home is in a flood area), then
    ``suffix`` of its stored result (the page, an export, the map features)."""
    def fetch(browser: Browser, person: PlantedPerson):
        answer = browser.post("/map/analysis", {"layer": "flood", "min_class": "1"}, form_page="/map/analysis")
        assert answer.status_code == 302, answer.get_data(as_text=True)
        assert Worker(database).run_pending() >= 1
        return browser.get(answer.headers["Location"] + suffix, query_string=query)
    return fetch


@dataclass(frozen=True)
class Output:
    name: str
    role: str  # the demo login that fetches it: admin (01), bosai (02), fukushi (03), hinanjo (04)
    fetch: Callable[[Browser, PlantedPerson], object]
    read: Callable = as_text
    shows: Callable[[PlantedPerson, str], bool] | None = None


OUTPUTS = [
    # 避難所 (the lowest role)
    Output("desk search by kana", "hinanjo",
           get("/shelters/desk/search.json", kana="{p.name_kana}"), read=as_json,
           shows=name_of),
    Output("desk search by kana and birth date", "hinanjo",
           get("/shelters/desk/search.json", kana="{p.name_kana}", birth="{p.birth_date}"),
           read=as_json, shows=name_of),
    Output("desk search by the address", "hinanjo",
           get("/shelters/desk/search.json", address="白菫台"), read=as_json),
    Output("desk search by the 方書", "hinanjo",
           get("/shelters/desk/search.json", address="ヴィラ白菫"),
           read=as_json),
    Output("desk page of the opened shelter", "hinanjo", lambda b, p: opened(b, p), shows=name_of),
    Output("stay history of the shelter", "hinanjo", lambda b, p: opened(b, p, "/history"), shows=name_of),
    Output("evacuee card", "hinanjo", get("/shelters/evacuees/{p.evacuee_id}/card"), shows=name_of),
    Output("shelter situation board", "hinanjo", get("/shelters/dashboard")),
    Output("shelter situation CSV (UTF-8)", "hinanjo", get("/shelters/dashboard.csv")),
    Output("shelter situation CSV (CP932)", "hinanjo",
           get("/shelters/dashboard.csv", encoding="cp932"), read=cp932),
    Output("shelter situation XLSX", "hinanjo", get("/shelters/dashboard.xlsx"), read=xlsx),
    # 地図
    Output("map page", "hinanjo", get("/map")),
    Output("shelters layer GeoJSON", "hinanjo", get("/map/layers/shelters.geojson"), read=as_json),
    Output("buildings tile at the home (z15)", "hinanjo",
           home_tile("/map/tiles/buildings", 15), read=tile("building"), shows=features),
    Output("residents tile at the home (z12)", "bosai",
           home_tile("/map/tiles/residents", 12), read=tile("resident"), shows=features),
    Output("residents tile at the home (z15)", "bosai",
           home_tile("/map/tiles/residents", 15), read=tile("resident")),
    Output("要支援者 tile at the home (z12)", "fukushi",
           home_tile("/map/tiles/evac_people", 12), read=tile("evac-person"), shows=features),
    Output("要支援者 tile at the home (z15)", "fukushi",
           home_tile("/map/tiles/evac_people", 15), read=tile("evac-person")),
    Output("安否 map tile at the home (z12)", "fukushi",
           home_tile("/evac-support/safety/tiles", 12), read=tile("evac-person"),
           shows=features),
    Output("要支援者 tile refused to 避難所担当", "hinanjo", home_tile("/map/tiles/evac_people", 12),
           read=refused),
    Output("roster refused to 避難所担当", "hinanjo", get("/evac-support/roster"), read=refused),
    Output("register export refused to 福祉担当", "fukushi",
           get("/victims/register/export", format="csv"), read=refused),
    # OGC API and layer downloads (GIS clients)
    Output("OGC items of 要支援者 (JSON)", "fukushi",
           get("/ogc/collections/evac-people/items", limit="10000", f="json"),
           read=geojson, shows=features),
    Output("OGC items of 要支援者 (HTML)", "fukushi",
           get("/ogc/collections/evac-people/items", limit="10000", f="html"),
           read=ogc_html, shows=features),
    Output("OGC download of 要支援者 (GeoJSON)", "fukushi",
           get("/ogc/collections/evac-people/download.geojson"), read=geojson, shows=features),
    Output("OGC download of 要支援者 (GeoPackage)", "fukushi",
           get("/ogc/collections/evac-people/download.gpkg"), read=geopackage, shows=features),
    Output("layer download of 要支援者 (GeoJSON)", "fukushi",
           get("/gis/layers/evac-people.geojson"), read=geojson, shows=features),
    Output("layer download of 要支援者 (GeoPackage)", "fukushi",
           get("/gis/layers/evac-people.gpkg"), read=geopackage, shows=features),
    # 避難行動要支援者名簿: rosters for supporters and what the register screens show
    Output("roster CSV (UTF-8)", "fukushi", roster, shows=name_of),
    Output("roster CSV (CP932)", "fukushi", lambda b, p: roster(b, p, encoding="cp932"), read=cp932, shows=name_of),
    Output("roster XLSX", "fukushi", lambda b, p: roster(b, p, format="xlsx"), read=xlsx, shows=name_of),
    Output("organisation roster in the disaster (CSV)", "fukushi",
           lambda b, p: provide(b, f"/evac-support/organisations/{p.org_id}/roster", mode="災害時"), shows=name_of),
    Output("provision record page", "fukushi", provision_page, shows=name_of),
    Output("register page", "fukushi", get("/evac-support"), shows=name_of),
    Output("individual plan print", "fukushi",
           get("/evac-support/people/{p.evac_person_id}/plan/print"), shows=name_of),
    Output("安否 progress CSV (UTF-8)", "fukushi",
           get("/evac-support/safety/export", format="csv"), shows=name_of),
    Output("安否 progress CSV (CP932)", "fukushi",
           get("/evac-support/safety/export", format="csv", encoding="cp932"),
           read=cp932, shows=name_of),
    Output("安否 progress XLSX", "fukushi",
           get("/evac-support/safety/export", format="xlsx"), read=xlsx,
           shows=name_of),
    # 被災者台帳: every file for a third party is a provision (90条の4), to a recipient the person consented to
    Output("register provision confirmation page", "bosai",
           get("/victims/register/provide", recipient_id="{p.recipient_id}", purpose="見守り", basis="本人同意")),
    Output("register provision to a consented recipient CSV (UTF-8)", "bosai", victim_provision(), shows=name_of),
    Output("register provision to a consented recipient CSV (CP932)", "bosai",
           victim_provision(encoding="cp932"), read=cp932, shows=name_of),
    Output("register provision to a consented recipient XLSX", "bosai", victim_provision("xlsx"), read=xlsx,
           shows=name_of),
    Output("people at risk in flood areas (page)", "bosai",
           get("/map/analysis/at-risk", layer="flood"), shows=name_of),
    Output("people at risk in flood areas (CSV)", "bosai",
           get("/map/analysis/at-risk/export", layer="flood", format="csv"),
           shows=name_of),
    Output("spatial analysis result page", "bosai", analysis(), shows=name_of),
    Output("spatial analysis residents CSV (UTF-8)", "bosai", analysis("/export", kind="residents", format="csv"),
           shows=name_of),
    Output("spatial analysis 要支援者 CSV (CP932)", "bosai",
           analysis("/export", kind="evac_people", format="csv", encoding="cp932"), read=cp932, shows=name_of),
    Output("spatial analysis 要支援者 XLSX", "bosai", analysis("/export", kind="evac_people", format="xlsx"),
           read=xlsx, shows=name_of),
    # 証明書 (what a household member carries away)
    Output("counter search list", "admin",
           get("/certificates/counter", kana="{p.name_kana}"), shows=name_of),
    Output("住民票の写し 世帯全員 of a household member (PDF)", "admin", household_copy, read=pdf,
           shows=lambda p, seen: "住民票の写し" in seen),
]


def _browser(app, login_id: str, disaster_id: int) -> Browser:
    browser = new_browser(app)
    assert browser.login(DEMO_CODE, login_id).status_code == 302
    browser.post("/disasters/select", {"disaster_id": str(disaster_id)}, form_page="/")
    return browser


@pytest.mark.parametrize("output", OUTPUTS, ids=[o.name for o in OUTPUTS])
def test_no_output_reveals_where_a_protected_person_lives(app, planted, output):
    seen = output.read(output.fetch(_browser(app, output.role, planted.disaster_id), planted))
    if output.shows is not None:
        assert output.shows(planted, seen), f"{output.name}: the output does not contain what it should"
    forbidden = (*planted.needles, f"<resident {planted.resident_id}>", f"<evac-person {planted.evac_person_id}>")
    hits = [needle for needle in forbidden if needle in seen]
    assert hits == [], f"{output.name} reveals {hits}"


def test_the_planted_person_is_where_the_outputs_could_show_them(planted, system_session):
    """The scan means something only if the person is really on every register and mapped."""
    found = system_session.execute(text("""
        SELECT r.is_protected, r.address, r.address_katagaki, r.phone, r.geom IS NOT NULL,
               (SELECT string_agg(v.optional_items->>'shelter', '') FROM victims v WHERE v.resident_id = r.id),
               (SELECT consent FROM evac_people p WHERE p.resident_id = r.id),
               (SELECT count(*) FROM evacuees e WHERE e.resident_id = r.id AND e.checked_out_at IS NULL),
               (SELECT count(*) FROM evac_plans pl JOIN evac_people p ON p.id = pl.person_id WHERE p.resident_id = r.id)
        FROM residents r WHERE r.id = :id"""), {"id": planted.resident_id}).one()
    assert found == (True, protected_person.ADDRESS, protected_person.KATAGAKI, protected_person.PHONE, True,
                     protected_person.STAYING_AT, "同意", 1, 1)
    others = system_session.execute(text("SELECT count(*) FROM residents WHERE (address LIKE '%白菫%' OR "
                                         "address_katagaki LIKE '%白菫%' OR phone = :phone) AND id <> :id"),
                                    {"phone": protected_person.PHONE, "id": planted.resident_id}).scalar()
    assert others == 0  # any hit in an output is theirs


def test_the_spatial_analysis_map_never_places_a_protected_person(app, planted):
    """The analysis map draws people by name at their homes: the protected person is not drawn."""
    browser = _browser(app, "bosai", planted.disaster_id)
    drawn = json.loads(_ok(analysis("/features.geojson")(browser, planted)))["features"]
    people = [f["properties"]["name"] for f in drawn if f["properties"]["kind"] in ("residents", "evac_people")]
    assert people, "the flood analysis should draw people"
    assert not any(name_of(planted, name) for name in people)
