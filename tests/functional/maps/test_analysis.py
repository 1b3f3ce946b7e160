"""空間分析 over HTTP: hazard class and drawn polygon selections (a job run by a Worker here) checked
against shapely, CSV/XLSX read back, people under 支援措置 without address/contact/location, the
people-at-risk list, tenancy."""
import csv
import io
import json

import openpyxl
import shapely
from shapely.geometry import box
from sqlalchemy import text

from tests.helpers.analysis import NOTE, analyse, arrange_people_at_risk, as_bosai, count_on_page, split_by_flood_zone
from tests.helpers.demo import DEMO_CODE, SECOND_CODE


def test_hazard_class_selection_matches_an_independent_check(db, web, system_session):
    inside, chosen = arrange_people_at_risk(system_session)
    url = analyse(as_bosai(web), db, layer="flood", min_class="2")
    page = web.get(url).get_data(as_text=True)
    assert "抽出結果: 洪水浸水想定区域（想定最大規模）（浸水深0.5m以上）" in page
    assert count_on_page(page, "residents") == len(inside)
    assert count_on_page(page, "evac_people") == 3
    protected_atena = chosen[0][1]
    row = page.split(f'data-resident="{protected_atena}"', 1)[1].split("</tr>", 1)[0]
    assert NOTE in row and "022-000-0000" not in row
    audit = system_session.execute(text("SELECT target_ids FROM audit_log WHERE action = 'hazard_analysis_view' "
                                        "ORDER BY id DESC LIMIT 1")).scalar_one()
    assert str(chosen[1][0]) in audit


def test_exports_read_back_and_leave_out_protected_contact(db, web, system_session):
    inside, chosen = arrange_people_at_risk(system_session)
    url = analyse(as_bosai(web), db, layer="flood", min_class="2")
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
    inside, chosen = arrange_people_at_risk(system_session)
    protected_name = system_session.execute(text("SELECT name FROM residents WHERE id = :i"),
                                            {"i": chosen[0][0]}).scalar_one()
    url = analyse(as_bosai(web), db, layer="flood", min_class="2")
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
    page = web.get(analyse(as_bosai(web), db, polygon=polygon)).get_data(as_text=True)
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
    assert count_on_page(page, "residents") == mine
    assert "他団体 見本" not in page


def test_unreadable_polygon_is_refused_with_a_message(db, web, system_session):
    answer = as_bosai(web).post("/map/analysis", {"polygon": "nonsense"}, form_page="/map/analysis")
    page = answer.get_data(as_text=True)
    assert answer.status_code == 422
    assert 'id="analysis-error"' in page and "描いた範囲を読み取れません" in page
    answer = web.post("/map/analysis", {"layer": "flood", "min_class": "9"}, form_page="/map/analysis")
    assert answer.status_code == 422 and "区分「9」は" in answer.get_data(as_text=True)
    queued = system_session.execute(text("SELECT count(*) FROM jobs WHERE kind = 'spatial_analysis'"))
    assert queued.scalar_one() == 0  # nothing queued for a refused choice


def test_people_at_risk_most_severe_first_with_export(db, web, system_session):
    _, chosen = arrange_people_at_risk(system_session)
    page = as_bosai(web).get("/map/analysis/at-risk?layer=flood").get_data(as_text=True)
    shallow, _ = split_by_flood_zone(system_session, classes=("1", "2", "3", "4", "5", "6"))
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
