"""空間分析 results stored by a job: ids only with the counts, the progress states, the owner only
(another user of the town and another town are refused), expiry and purge, and 支援措置 applied to
the stored result as the records are now."""
import csv
import io
import json

import shapely
from shapely.geometry import box
from sqlalchemy import text

from app.jobs.services import Worker
from tests.helpers.analysis import NOTE, analyse, arrange_people_at_risk, as_bosai, count_on_page
from tests.helpers.demo import DEMO_CODE, SECOND_CODE
from tests.helpers.web import new_browser


def _analysis_id(url: str) -> int:
    return int(url.rstrip("/").rsplit("/", 1)[1])


def test_job_stores_ids_and_counts_and_reports_its_steps(db, web, system_session):
    arrange_people_at_risk(system_session)
    answer = as_bosai(web).post("/map/analysis", {"layer": "flood", "min_class": "2"}, form_page="/map/analysis")
    url = answer.headers["Location"]
    waiting = web.get(f"{url}/status").get_json()
    assert waiting == {"status": "queued", "progress": 0, "label": "分析を待っています", "step": 0, "error": ""}
    assert 'data-step="1"' in web.get(url).get_data(as_text=True)  # the steps 住民 要支援者 建物 避難所
    assert web.get(f"{url}/features.geojson").get_json()["features"] == []  # nothing stored before the job
    seen = []
    Worker(db, on_progress=lambda job_id, percent, label: seen.append((percent, label))).run_pending()
    assert seen == [(5, "住民を抽出しています（1/4）"), (60, "要支援者を抽出しています（2/4）"),
                    (75, "建物を抽出しています（3/4）"), (90, "避難所を抽出しています（4/4）")]
    done = web.get(f"{url}/status").get_json()
    assert done == {"status": "done", "progress": 100, "label": "分析が終わりました", "step": 4, "error": ""}
    analysis_id = _analysis_id(url)
    counts = system_session.execute(text("SELECT counts FROM spatial_analyses WHERE id = :i"),
                                    {"i": analysis_id}).scalar_one()
    stored = dict(system_session.execute(text(
        "SELECT kind, count(*) FROM spatial_analysis_items WHERE analysis_id = :i GROUP BY kind"),
        {"i": analysis_id}).all())
    assert stored == {k: v for k, v in counts.items() if v} and counts["evac_people"] == 3
    columns = set(system_session.execute(text(
        "SELECT column_name FROM information_schema.columns WHERE table_name = 'spatial_analysis_items'")).scalars())
    assert columns == {"analysis_id", "kind", "position", "lg_code", "item_id", "class_code"}
    page = web.get(url).get_data(as_text=True)
    assert count_on_page(page, "residents") == counts["residents"] and 'id="analysis-progress"' not in page


def test_only_the_user_who_ran_it_opens_the_result(db, app, web, system_session):
    url = analyse(as_bosai(web), db, layer="flood", min_class="2")
    colleague = new_browser(app)
    assert colleague.login(DEMO_CODE, "admin").status_code == 302
    for path in (url, f"{url}/status", f"{url}/features.geojson", f"{url}/export?kind=residents&format=csv"):
        assert colleague.get(path).status_code == 404, path
    refused = system_session.execute(text(
        "SELECT target_ids FROM audit_log WHERE action = 'record_not_found' AND target_type = 'spatial_analysis'"))
    assert str(_analysis_id(url)) in str(refused.scalars().all())
    other_town = new_browser(app)
    assert other_town.login(SECOND_CODE, "bosai").status_code == 302
    assert other_town.get(url).status_code == 404
    assert other_town.get(f"{url}/export?kind=evac_people&format=xlsx").status_code == 404
    assert web.get(url).status_code == 200  # the owner still can


def test_expired_result_is_refused_and_purged_by_the_next_analysis(db, web, system_session):
    url = analyse(as_bosai(web), db, layer="flood", min_class="2")
    analysis_id = _analysis_id(url)
    system_session.execute(text("UPDATE spatial_analyses SET expires_at = now() - interval '1 minute' "
                                "WHERE id = :i"), {"i": analysis_id})
    system_session.commit()
    answer = web.get(url)
    assert answer.status_code == 404 and "保存期間（24時間）が過ぎました" in answer.get_data(as_text=True)
    assert web.get(f"{url}/export?kind=residents&format=csv").status_code == 404
    analyse(web, db, layer="sediment")
    left = system_session.execute(text("SELECT (SELECT count(*) FROM spatial_analyses WHERE id = :i), "
                                       "(SELECT count(*) FROM spatial_analysis_items WHERE analysis_id = :i)"),
                                  {"i": analysis_id}).one()
    assert tuple(left) == (0, 0)


def test_support_measures_apply_to_a_stored_result_as_records_are_now(db, web, system_session):
    _, chosen = arrange_people_at_risk(system_session)
    lon, lat = system_session.execute(text("SELECT ST_X(geom), ST_Y(geom) FROM residents WHERE id = :i"),
                                      {"i": chosen[1][0]}).one()
    polygon = json.dumps(json.loads(shapely.to_geojson(box(lon - 0.0003, lat - 0.0003, lon + 0.0003, lat + 0.0003))))
    url = analyse(as_bosai(web), db, polygon=polygon)
    name, atena = system_session.execute(text("SELECT name, atena_no FROM residents WHERE id = :i"),
                                         {"i": chosen[1][0]}).one()
    features = web.get(f"{url}/features.geojson").get_json()["features"]
    assert name in {f["properties"]["name"] for f in features}
    # 支援措置 starts after the analysis ran: the stored result must not locate or disclose them now
    system_session.execute(text("UPDATE residents SET is_protected = true WHERE id = :i"), {"i": chosen[1][0]})
    system_session.commit()
    features = web.get(f"{url}/features.geojson").get_json()["features"]
    assert name not in {f["properties"]["name"] for f in features}
    page = web.get(url).get_data(as_text=True)
    row = page.split(f'data-resident="{atena}"', 1)[1].split("</tr>", 1)[0]
    assert NOTE in row and "022-000-0000" not in row
    response = web.get(f"{url}/export?kind=residents&format=csv")
    rows = {r[0]: r for r in csv.reader(io.StringIO(response.data.decode("utf-8-sig")))}
    assert rows[atena][5] == "" and rows[atena][6] == "" and NOTE in rows[atena][9]
    audit = system_session.execute(text("SELECT detail FROM audit_log WHERE action = 'hazard_analysis_export' "
                                        "ORDER BY id DESC LIMIT 1")).scalar_one()
    assert audit["analysis"] == _analysis_id(url) and audit["kind"] == "residents"


def test_lists_and_map_take_the_first_rows_in_stored_order(db, web, system_session, monkeypatch):
    from app.maps import analysis_results

    monkeypatch.setattr(analysis_results, "LIST_LIMIT", 3)
    monkeypatch.setattr(analysis_results, "MAP_LIMIT", 5)
    arrange_people_at_risk(system_session)
    url = analyse(as_bosai(web), db, layer="flood", min_class="1")
    first = system_session.execute(text(
        "SELECT r.atena_no FROM spatial_analysis_items i JOIN residents r ON r.id = i.item_id "
        "WHERE i.analysis_id = :i AND i.kind = 'residents' ORDER BY i.position LIMIT 3"),
        {"i": _analysis_id(url)}).scalars().all()
    page = web.get(url).get_data(as_text=True)
    listed = page.split('id="list-residents"', 1)[1].split("</table>", 1)[0]
    assert [part.split('"', 1)[0] for part in listed.split('data-resident="')[1:]] == first
    features = web.get(f"{url}/features.geojson").get_json()["features"]
    assert 0 < sum(f["properties"]["kind"] == "residents" for f in features) <= 5
    assert sum(f["properties"]["kind"] == "evac_people" for f in features) == 2  # all but the protected one


def test_a_failed_job_is_reported_on_the_result_page(db, web, system_session):
    answer = as_bosai(web).post("/map/analysis", {"layer": "flood", "min_class": "2"}, form_page="/map/analysis")
    url = answer.headers["Location"]
    # the catalogue lost the layer between pressing 分析 and the job running
    system_session.execute(text("UPDATE spatial_analyses SET layer_code = 'retired' WHERE id = :i"),
                           {"i": _analysis_id(url)})
    system_session.commit()
    Worker(db).run_pending()
    state = web.get(f"{url}/status").get_json()
    assert state["status"] == "failed" and "retired" in state["error"]
    page = web.get(url).get_data(as_text=True)
    assert 'id="analysis-failed"' in page and "分析できませんでした" in page and 'id="analysis-counts"' not in page
