"""空間分析 as staff run it over HTTP: people at risk arranged in the demo town's flood zones, the
analysis started and its job run, and the counts its result page shows."""
import shapely
from shapely.geometry import Point
from sqlalchemy import text

from app.jobs.services import Worker
from tests.helpers.demo import DEMO_CODE

NOTE = "支援措置対象"  # how a result marks a person under 支援措置


def split_by_flood_zone(system_session, classes=("2", "3", "4", "5", "6")):
    """桜ヶ丘町's residents inside the flood zones of ``classes`` and outside them: (inside, outside)."""
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


def arrange_people_at_risk(system_session):
    """Three 要支援者 inside 浸水深 0.5m以上 (the first under 支援措置) and one outside."""
    inside, outside = split_by_flood_zone(system_session)
    assert len(inside) >= 3 and outside, "the demo town should have people on both sides"
    chosen = [*inside[:3], outside[0]]
    system_session.execute(text("UPDATE residents SET is_protected = (id = :p), phone = '022-000-0000' "
                                "WHERE id = ANY(:ids)"), {"p": inside[0][0], "ids": [c[0] for c in chosen]})
    for person in chosen:
        system_session.execute(text("INSERT INTO evac_people (lg_code, resident_id, reasons, consent, version) "
                                    "VALUES (:c, :r, '要介護3', '同意', 1)"), {"c": DEMO_CODE, "r": person[0]})
    system_session.commit()
    return inside, chosen


def as_bosai(web):
    """``web`` logged in as bosai (防災担当), who runs the analyses."""
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


def count_on_page(page: str, key: str) -> int:
    """The count a result page shows for ``key`` (residents, evac_people, …)."""
    marker = f'data-count="{key}">'
    return int(page.split(marker, 1)[1].split("<", 1)[0].replace(",", ""))
