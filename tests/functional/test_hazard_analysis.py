"""空間分析 over HTTP: hazard class and drawn polygon selections (a job run by a Worker here) checked
against shapely, CSV/XLSX read back, people under 支援措置 without address/contact/location, the
people-at-risk list, tenancy."""
import csv
import io
import json

import openpyxl
import shapely
from shapely.geometry import Point, box
from sqlalchemy import text

from app.jobs.services import Worker
from tests.conftest import DEMO_CODE, SECOND_CODE

NOTE = "支援措置対象"


def _inside_flood(system_session, classes=("2", "3", "4", "5", "6")):
    zones = [shapely.from_wkt(w) for (w,) in system_session.execute(text(
        "SELECT ST_AsText(geom) FROM hazard_areas WHERE lg_code = :c AND layer_code = 'flood' "
        "AND class_code = ANY(:k)"), {"c": DEMO_CODE, "k": list(classes)})]
    people = system_session.execute(text(
        "SELECT id, atena_no, ST_X(geom), ST_Y(geom) FROM residents WHERE lg_code = :c AND status = '住登内' "
        "AND geom IS NOT NULL ORDER BY id"), {"c": DEMO_CODE}).all()
    union = shapely.union_all(zones)
    inside = [p for p in people if union.intersects(Point(p[2], p[3]))]
    outside = [p for p in people if not union.intersects(Point(p[2], p[3]))]
    return inside, outside


def _arrange(system_session):
    """Three 要支援者 inside 浸水深 0.5m以上 (the first under 支援措置) and one outside."""
    inside, outside = _inside_flood(system_session)
    assert len(inside) >= 3 and outside, "the demo town should have people on both sides"
    chosen = [*inside[:3], outside[0]]
    system_session.execute(text("UPDATE residents SET is_protected = (id = :p), phone = '022-000-0000' "
                                "WHERE id = ANY(:ids)"), {"p": inside[0][0], "ids": [c[0] for c in chosen]})
    for person in chosen:
        system_session.execute(text("INSERT INTO evac_people (lg_code, resident_id, reasons, consent, version) "
                                    "VALUES (:c, :r, '要介護3', '同意', 1)"), {"c": DEMO_CODE, "r": person[0]})
    system_session.commit()
    return inside, chosen


def _bosai(web):
    assert web.login(DEMO_CODE, "bosai").status_code == 302
    return web


def analyse(web, db, **form) -> str:
    """Press 分析 with ``form``: the job is queued (the page shows its progress), a Worker runs it;
    returns the result page's URL."""
    answer = web.post("/map/analysis", form, form_page="/map/analysis")
    assert answer.status_code == 302, answer.get_data(as_text=True)
    url = answer.headers["Location"]
    waiting = web.get(url).get_data(as_text=True)
    assert 'id="analysis-progress"' in waiting and 'id="analysis-counts"' not in waiting
    assert Worker(db).run_pending() >= 1
    return url


def _count(page: str, key: str) -> int:
    marker = f'data-count="{key}">'
    return int(page.split(marker, 1)[1].split("<", 1)[0].replace(",", ""))


def test_hazard_class_selection_matches_an_independent_check(db, web, system_session):
    inside, chosen = _arrange(system_session)
    url = analyse(_bosai(web), db, layer="flood", min_class="2")
    page = web.get(url).get_data(as_text=True)
    assert "抽出結果: 洪水浸水想定区域（想定最大規模）（浸水深0.5m以上）" in page
    assert _count(page, "residents") == len(inside)
    assert _count(page, "evac_people") == 3
    protected_atena = chosen[0][1]
    row = page.split(f'data-resident="{protected_atena}"', 1)[1].split("</tr>", 1)[0]
    assert NOTE in row and "022-000-0000" not in row
    audit = system_session.execute(text("SELECT target_ids FROM audit_log WHERE action = 'hazard_analysis_view' "
                                        "ORDER BY id DESC LIMIT 1")).scalar_one()
    assert str(chosen[1][0]) in audit


def test_exports_read_back_and_leave_out_protected_contact(db, web, system_session):
    inside, chosen = _arrange(system_session)
    url = analyse(_bosai(web), db, layer="flood", min_class="2")
    response = web.get(f"{url}/export?kind=evac_people&format=csv&encoding=cp932")
    rows = list(csv.reader(io.StringIO(response.data.decode("cp932"))))
    assert rows[0][:3] == ["宛名番号", "氏名", "氏名カナ"] and len(rows) == 4
    by_atena = {r[0]: r for r in rows[1:]}
    protected = by_atena[chosen[0][1]]
    assert protected[5] == "" and protected[6] == "" and NOTE in protected[9]
    assert by_atena[chosen[1][1]][6] == "022-000-0000" and by_atena[chosen[1][1]][5]
    assert chosen[3][1] not in by_atena  # the one outside the zone
    response = web.get(f"{url}/export?kind=residents&format=xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    assert sheet.max_row - 1 == len(inside)
    assert sheet["I2"].value == "0.5〜3.0m未満"
    exports = system_session.execute(text("SELECT count(*) FROM audit_log WHERE action = 'hazard_analysis_export'"))
    assert exports.scalar_one() == 2


def test_map_features_never_locate_protected_people(db, web, system_session):
    inside, chosen = _arrange(system_session)
    protected_name = system_session.execute(text("SELECT name FROM residents WHERE id = :i"),
                                            {"i": chosen[0][0]}).scalar_one()
    url = analyse(_bosai(web), db, layer="flood", min_class="2")
    data = json.loads(web.get(f"{url}/features.geojson").data)
    people = [f for f in data["features"] if f["properties"]["kind"] in ("residents", "evac_people")]
    assert len(people) == len(inside) - 1
    assert protected_name not in {f["properties"]["name"] for f in people}
    assert sum(f["properties"]["kind"] == "evac_people" for f in people) == 2


def test_drawn_polygon_finds_a_shelter_and_only_this_municipality(db, web, system_session):
    name, lon, lat = system_session.execute(text(
        "SELECT name, ST_X(geom), ST_Y(geom) FROM shelters WHERE lg_code = :c ORDER BY id LIMIT 1"),
        {"c": DEMO_CODE}).one()
    polygon = json.dumps(json.loads(shapely.to_geojson(box(lon - 0.0005, lat - 0.0005, lon + 0.0005, lat + 0.0005))))
    page = web.get(analyse(_bosai(web), db, polygon=polygon)).get_data(as_text=True)
    assert "地図上で描いた範囲" in page and name in page.split('id="list-shelters"', 1)[1]
    # a polygon over both towns: only this municipality's residents
    system_session.execute(text("UPDATE residents SET name = '他団体 見本', geom = ST_SetSRID(ST_Point(:x, :y), 4326) "
                                "WHERE id = (SELECT min(id) FROM residents WHERE lg_code = :c)"),
                           {"c": SECOND_CODE, "x": lon, "y": lat})
    system_session.commit()
    both = json.dumps(json.loads(shapely.to_geojson(box(140.0, 38.0, 142.0, 40.5))))
    page = web.get(analyse(web, db, polygon=both)).get_data(as_text=True)
    mine = system_session.execute(text("SELECT count(*) FROM residents WHERE lg_code = :c AND status = '住登内' "
                                       "AND geom IS NOT NULL"), {"c": DEMO_CODE}).scalar_one()
    assert _count(page, "residents") == mine
    assert "他団体 見本" not in page


def test_unreadable_polygon_is_refused_with_a_message(db, web, system_session):
    answer = _bosai(web).post("/map/analysis", {"polygon": "nonsense"}, form_page="/map/analysis")
    page = answer.get_data(as_text=True)
    assert answer.status_code == 422
    assert 'id="analysis-error"' in page and "描いた範囲を読み取れません" in page
    answer = web.post("/map/analysis", {"layer": "flood", "min_class": "9"}, form_page="/map/analysis")
    assert answer.status_code == 422 and "区分「9」は" in answer.get_data(as_text=True)
    queued = system_session.execute(text("SELECT count(*) FROM jobs WHERE kind = 'spatial_analysis'"))
    assert queued.scalar_one() == 0  # nothing queued for a refused choice


def test_people_at_risk_most_severe_first_with_export(db, web, system_session):
    _, chosen = _arrange(system_session)
    page = _bosai(web).get("/map/analysis/at-risk?layer=flood").get_data(as_text=True)
    shallow, _ = _inside_flood(system_session, classes=("1", "2", "3", "4", "5", "6"))
    evac_ids = {c[0] for c in chosen}
    expected = sum(1 for p in shallow if p[0] in evac_ids)
    assert f'id="risk-count">{expected}<' in page
    response = web.get("/map/analysis/at-risk/export?layer=flood&format=csv")
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))[1:]
    order = ["0.5m未満", "0.5〜3.0m未満", "3.0〜5.0m未満", "5.0〜10.0m未満"]
    ranks = [order.index(r[0]) for r in rows]
    assert ranks == sorted(ranks, reverse=True) and len(rows) == expected
    assert all(r[7] == "" for r in rows if NOTE in r[9])


def test_shelter_staff_cannot_analyse(db, web):
    assert web.login(DEMO_CODE, "hinanjo").status_code == 302
    assert web.get("/map/analysis").status_code == 403
    assert web.post("/map/analysis", {"layer": "flood"}, form_page="/").status_code == 403
