"""Main screen, placeholders for screens still to come, health check, disasters, operator."""
from datetime import date

from sqlalchemy import text

from app import create_app
from app.config import TestConfig
from tests.helpers.demo import DEMO_CODE, SECOND_CODE


def test_healthz_reports_app_and_database(web):
    response = web.get("/healthz")
    body = response.get_json()
    assert response.status_code == 200
    assert body["status"] == "ok" and body["app"]["status"] == "ok"
    assert body["database"]["status"] == "ok" and body["database"]["postgis"].startswith("3.")


def test_healthz_reports_an_unreachable_database(app):
    config = TestConfig()
    config.DATABASE_URL = "postgresql+psycopg://nobody:nothing@127.0.0.1:1/none"
    from app.extensions import db

    original = db.engine.url.render_as_string(hide_password=False)
    broken = create_app(config)
    try:
        response = broken.test_client().get("/healthz")
        assert response.status_code == 503
        assert response.get_json()["database"]["status"] == "error"
    finally:
        db.configure(original)


def test_main_menu_has_the_seed_layout(as_admin):
    page = as_admin.get("/").get_data(as_text=True)
    for label in ("被災者支援システム", "避難所関連システム", "避難行動要支援者関連システム", "横断検索", "地図",
                  "システム管理", "パスワード変更", "ログアウト", "災害名新規登録",
                  "サイドメニュー"):
        assert label in page, label
    assert "佐藤 管理" in page


def test_unbuilt_screens_say_so_plainly(as_admin):
    page = as_admin.get("/search").get_data(as_text=True)
    assert "この画面は準備中です" in page


def test_register_select_and_show_a_disaster(as_admin, system_session):
    response = as_admin.post("/disasters/new", {"name": "令和8年11月豪雨", "kind": "風水害（大雨・洪水）",
                                                "started_on": "2026-11-20", "is_relief_act_applied": "y"})
    assert response.status_code == 302
    page = as_admin.get(response.headers["Location"]).get_data(as_text=True)
    assert "令和8年11月豪雨" in page and "令和8年11月20日" in page and "適用" in page
    menu = as_admin.get("/").get_data(as_text=True)
    assert "災害対応中" in menu and "令和8年11月豪雨" in menu
    entry = system_session.execute(text("SELECT lg_code FROM audit_log WHERE action='disaster_create'")).scalar()
    assert entry == DEMO_CODE


def test_disaster_form_errors_are_clear_and_keep_the_input(as_admin):
    future = as_admin.post("/disasters/new", {"name": "未来の災害", "kind": "地震", "started_on": "2099-01-01"})
    body = future.get_data(as_text=True)
    assert "未来の日付は指定できません" in body and 'value="未来の災害"' in body
    missing = as_admin.post("/disasters/new", {"name": "", "kind": "地震", "started_on": ""})
    assert "災害名を入力してください" in missing.get_data(as_text=True)


def test_switching_back_to_normal_times(as_admin, system_session):
    from app.disasters.models import Disaster

    disaster = Disaster(lg_code=DEMO_CODE, name="テスト地震", kind="地震", started_on=date(2026, 11, 1))
    system_session.add(disaster)
    system_session.commit()
    as_admin.post("/disasters/select", {"disaster_id": disaster.id}, form_page="/")
    assert "災害対応中" in as_admin.get("/").get_data(as_text=True)
    as_admin.post("/disasters/select", {"disaster_id": ""}, form_page="/")
    assert "平時モード" in as_admin.get("/").get_data(as_text=True)


def test_operator_registers_a_municipality_and_its_admin_can_log_in(app, web):
    web.login(None, "jlis")
    bad = web.post("/operator", {"lg_code": "012026", "name": "テスト市", "kind": "市", "population": "25000",
                                 "center_lat": "43.0", "center_lon": "141.3", "admin_login_id": "admin",
                                 "admin_name": "管理者", "admin_password": "Start-2026"})
    assert "検査数字が正しくありません" in bad.get_data(as_text=True)
    good = web.post("/operator", {"lg_code": "012033", "name": "小樽港市", "kind": "市", "population": "25000",
                                  "center_lat": "43.19", "center_lon": "141.0", "admin_login_id": "admin",
                                  "admin_name": "管理者", "admin_password": "Start-2026"})
    assert good.status_code == 302, good.get_data(as_text=True)
    page = web.get("/operator").get_data(as_text=True)
    assert "012033" in page and "市・特別区（人口3万人未満）" in page
    from tests.helpers.web import new_browser

    admin = new_browser(app)
    assert admin.login("012033", "admin", "Start-2026").status_code == 302
    assert admin.post("/password", {"current": "Start-2026", "new": "Own-start-2026",
                                    "confirm": "Own-start-2026"}).status_code == 302  # the initial one is changed
    assert "権限管理" in admin.get("/admin").get_data(as_text=True)


def test_operator_page_shows_counts_not_people(web):
    web.login(None, "jlis")
    page = web.get("/operator").get_data(as_text=True)
    assert DEMO_CODE in page and SECOND_CODE in page
    assert "住登内" not in page and "番" not in page.split("tenant-table")[1].split("</table>")[0]


def test_map_page_is_offline_capable_and_shows_the_servers_base_map(as_admin):
    page = as_admin.get("/map").get_data(as_text=True)
    assert "/static/vendor/leaflet/leaflet.js" in page and "/static/vendor/jquery/jquery.min.js" in page
    assert "cdn" not in page.lower() and "unpkg" not in page
    assert "BCLBasemap.layer" in page and "/basemaps/" in page and "cyberjapandata" not in page
    assert "白地図" in page or "\\u767d\\u5730\\u56f3" in page
    assert "凡例" in page


def test_map_layers_are_geojson_for_the_tenant(as_admin):
    for key in ("shelters", "admin_areas", "hazard:flood", "hazard:sediment"):
        response = as_admin.get(f"/map/layers/{key}.geojson")
        assert response.status_code == 200 and response.mimetype == "application/geo+json"
        data = response.get_json()
        assert data["type"] == "FeatureCollection" and data["features"], key
    assert as_admin.get("/map/layers/hazard:volcano.geojson").status_code == 404
