"""住民情報連携 screens through HTTP: status, upload (Pattern B), batch report, generations, tokens,
address points, placing a resident, person lookup (audited), permissions."""
import io
import re

import pytest
from sqlalchemy import select, text

from app.residents.models import Resident
from fixtures.link_batch import write_address_points, write_diff_batch
from fixtures.town import DEMO_TOWN, generate_town
from tests.helpers.demo import DEMO_CODE
from tests.helpers.link import run_jobs, upload_batch, zip_entries
from tests.helpers.web import new_browser


@pytest.fixture()
def demo_town():
    return generate_town(DEMO_TOWN, residents=600, seed=1)  # what the test database was loaded with


def _db():
    from app.extensions import db

    return db


def test_status_page_shows_the_demo_generation(as_admin):
    page = as_admin.get("/residents").get_data(as_text=True)
    assert "住民情報連携（副本）" in page and 'id="expected-sequence">2<' in page
    assert re.search(r'data-count="residents">600<', page)


def test_upload_applies_a_diff_and_reports(as_admin, demo_town, tmp_path, system_session):
    diff = write_diff_batch(demo_town, tmp_path / "d2.zip", sequence=2, changes=40)
    response = upload_batch(as_admin, diff)
    answer = response.get_json()
    assert response.status_code == 200 and answer["ok"], answer
    assert run_jobs(_db()) == 1
    page = as_admin.get(answer["location"]).get_data(as_text=True)
    assert "反映済み" in page and 'id="count-table"' in page
    generations = as_admin.get("/residents/generations").get_data(as_text=True)
    assert 'data-generation="2"' in generations and "差分（基:1）" in generations
    export = as_admin.get("/residents/generations/2/export")
    entries = zip_entries(export.get_data())
    export.close()
    assert set(entries) >= {"manifest.json", "residents.csv", "seals.csv", "taxes.csv", "welfare.csv"}
    audited = system_session.execute(text("SELECT count(*) FROM audit_log WHERE action = 'link_export' "
                                          "AND lg_code = :c"), {"c": DEMO_CODE}).scalar()
    assert audited == 1


def test_upload_refusals_are_explained(as_admin, tmp_path):
    not_zip = tmp_path / "x.zip"
    not_zip.write_bytes(b"not a zip")
    response = upload_batch(as_admin, not_zip)
    assert response.status_code == 422 and "ZIP形式ではありません" in response.get_json()["message"]
    response = upload_batch(as_admin, not_zip, ajax=False)
    assert response.status_code == 302
    assert "ZIP形式ではありません" in as_admin.get("/residents").get_data(as_text=True)
    wrong_type = tmp_path / "x.txt"
    wrong_type.write_bytes(b"x")
    assert "ZIPファイル（.zip）を選択してください" in upload_batch(as_admin, wrong_type).get_json()["message"]


def test_tokens_are_shown_once_and_revocable(as_admin, system_session):
    page = as_admin.post("/residents/tokens", {"name": "連携サーバ 本番"}).get_data(as_text=True)
    token = re.search(r'<code class="token">([^<]+)</code>', page).group(1)
    assert token.startswith(f"bcl.{DEMO_CODE}.")
    listing = as_admin.get("/residents/tokens").get_data(as_text=True)
    assert token not in listing and token[-6:] in listing
    api = as_admin.client.get("/api/link/v1/status", headers={"Authorization": f"Bearer {token}"})
    assert api.status_code == 200 and api.get_json()["expected_sequence"] == 2
    token_id = system_session.execute(text("SELECT id FROM link_tokens WHERE lg_code = :c"), {"c": DEMO_CODE}).scalar()
    as_admin.post(f"/residents/tokens/{token_id}/revoke", {}, form_page="/residents/tokens")
    api = as_admin.client.get("/api/link/v1/status", headers={"Authorization": f"Bearer {token}"})
    assert api.status_code == 401


def test_address_points_unlocated_list_and_manual_placement(as_admin, demo_town, tmp_path, system_session):
    system_session.execute(text("UPDATE residents SET geom = NULL, location_source = '' WHERE lg_code = :c"),
                           {"c": DEMO_CODE})
    system_session.execute(text("UPDATE residents SET address = replace(address, '丁目', '丁目外') "
                                "WHERE id = (SELECT min(id) FROM residents WHERE lg_code = :c AND status = '住登内')"),
                           {"c": DEMO_CODE})
    system_session.commit()
    points = write_address_points(demo_town, tmp_path / "points.csv")
    data = {"data": (io.BytesIO(points.read_bytes()), "points.csv")}
    page = as_admin.post("/residents/address-points", data, content_type="multipart/form-data").get_data(as_text=True)
    assert 'id="address-result"' in page
    unlocated = as_admin.get("/residents/unlocated").get_data(as_text=True)
    atena = re.findall(r"<tr><td>(\d+)</td>", unlocated)
    assert len(atena) == 1
    placed = as_admin.post(f"/residents/people/{atena[0]}/location", {"lat": "38.4031", "lon": "140.9521"},
                           form_page=f"/residents/people/{atena[0]}/location")
    assert placed.status_code == 302
    resident = system_session.scalar(select(Resident).where(Resident.lg_code == DEMO_CODE,
                                                            Resident.atena_no == atena[0]))
    system_session.refresh(resident)
    assert resident.location_source == "manual"
    assert "位置が未設定の住民はいません" in as_admin.get("/residents/unlocated").get_data(as_text=True)
    bad = as_admin.post(f"/residents/people/{atena[0]}/location", {"lat": "10", "lon": "10"},
                        form_page=f"/residents/people/{atena[0]}/location")
    assert "地図上で位置を選んでください" in bad.get_data(as_text=True)


def test_lookup_is_audited_and_protected_people_are_flagged(as_admin, system_session):
    person = system_session.scalar(select(Resident).where(Resident.lg_code == DEMO_CODE,
                                                          Resident.is_protected.is_(True)))
    assert person is not None, "the demo town has people under 支援措置"
    surname = person.name_kana.split("\u3000")[0]
    page = as_admin.get(f"/residents/lookup?q={surname}").get_data(as_text=True)
    assert person.atena_no in page and "支援措置" in page
    detail = as_admin.get(f"/residents/people/{person.atena_no}").get_data(as_text=True)
    assert 'id="protection-warning"' in detail
    rows = system_session.execute(text("SELECT target_ids, detail FROM audit_log WHERE action = 'record_view' "
                                       "AND lg_code = :c ORDER BY id"), {"c": DEMO_CODE}).all()
    assert any(person.atena_no in ids and detail.get("screen") == "person" for ids, detail in rows)
    assert any(detail.get("query") == surname for _, detail in rows)
    short = as_admin.get("/residents/lookup?q=ヤ").get_data(as_text=True)
    assert "2文字以上で検索してください" in short


def test_another_municipalitys_resident_is_not_found(as_admin, system_session):
    other = system_session.scalar(select(Resident.atena_no).where(Resident.lg_code == "033995"))
    assert as_admin.get(f"/residents/people/{other}").status_code == 404


def test_residents_screens_need_their_permission(app, db):
    browser = new_browser(app)
    browser.login(DEMO_CODE, "fukushi")
    assert browser.get("/residents").status_code == 403
    assert browser.get("/residents/lookup?q=ヤマダ").status_code == 403
