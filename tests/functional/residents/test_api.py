"""Pattern A: the link API end to end — receive, job, report, generations, restore — and every refusal."""
import csv
import io
import json

import pytest
from sqlalchemy import func, select, text

from app.residents.link import spec
from app.residents.models import Generation, LinkBatch, LinkFileChunk, Resident
from fixtures.link_batch import RESIDENT_HEADER, write_diff_batch, write_full_batch
from tests.factories import LINK_CODE, make_municipality, small_town, town_with
from tests.helpers.demo import DEMO_CODE
from tests.helpers.link import (
    api_get,
    count_rows,
    post_batch,
    residents_rows,
    rewrite_batch,
    run_jobs,
    send_batch,
    with_residents,
    zip_entries,
)


@pytest.fixture()
def link(db):
    return make_municipality(db)


@pytest.fixture()
def town():
    return small_town()


def test_full_batch_is_received_applied_and_reported(web, link, town, tmp_path, system_session):
    batch = write_full_batch(town, tmp_path / "b1.zip")
    response = post_batch(web.client, link, batch)
    assert response.status_code == 202, response.get_data(as_text=True)
    body = response.get_json()
    assert body["status"] == "queued" and body["sequence"] == 1 and not body["duplicate"]
    assert response.headers["Location"].endswith(f"/batches/{body['id']}")
    assert count_rows(system_session, Resident) == 0  # processing is a job, not the request
    assert run_jobs(_db()) == 1
    status = api_get(web.client, link, f"/api/link/v1/batches/{body['id']}").get_json()
    assert status["status"] == "applied" and status["progress"] == 100
    counts = status["report"]["counts"]
    manifest = json.loads(zip_entries(batch.read_bytes())["manifest.json"])
    records = {f["kind"]: f["records"] for f in manifest["files"]}
    assert {kind: c["read"] for kind, c in counts.items()} == records
    assert counts["residents"]["added"] == records["residents"] == count_rows(system_session, Resident)
    state = api_get(web.client, link, "/api/link/v1/status").get_json()
    assert state["expected_sequence"] == 2 and state["last_applied_sequence"] == 1


def _db():
    from app.extensions import db

    return db


def _send(web, token, path, expect=202):
    return send_batch(web.client, token, path, expect)


def test_repeated_sequence_is_an_idempotent_no_op(web, link, town, tmp_path, system_session):
    batch = write_full_batch(town, tmp_path / "b1.zip")
    first = _send(web, link, batch)
    again = post_batch(web.client, link, batch)
    assert again.status_code == 200 and again.get_json()["duplicate"] is True
    assert again.get_json()["id"] == first["id"]
    assert run_jobs(_db()) == 0
    assert count_rows(system_session, Generation) == 1


def test_same_sequence_with_other_content_is_refused(web, link, town, tmp_path):
    _send(web, link, write_full_batch(town, tmp_path / "b1.zip"))
    other = write_full_batch(small_town(residents=130), tmp_path / "other.zip")
    response = post_batch(web.client, link, other)
    assert response.status_code == 409
    assert response.get_json()["code"] == "sequence_conflict"


def test_a_gap_is_refused_naming_the_missing_sequences(web, link, town, tmp_path, system_session):
    _send(web, link, write_full_batch(town, tmp_path / "b1.zip"))
    gap = write_diff_batch(town, tmp_path / "d4.zip", sequence=4, changes=20)
    response = post_batch(web.client, link, gap)
    problem = response.get_json()
    assert response.status_code == 409 and problem["code"] == "sequence_gap"
    assert "連番 2〜3 が届いていません" in problem["detail"] and problem["details"]["missing"] == [2, 3]
    assert count_rows(system_session, LinkBatch) == 1


def test_checksum_mismatch_is_refused_and_nothing_is_stored(web, link, town, tmp_path, system_session):
    batch = write_full_batch(town, tmp_path / "b1.zip")
    entries = zip_entries(batch.read_bytes())
    tampered = entries["residents.csv"].replace("山".encode(), "川".encode(), 1)
    bad = rewrite_batch(batch, tmp_path / "bad.zip", files={"residents.csv": tampered}, fix_checksums=False)
    response = post_batch(web.client, link, bad)
    problem = response.get_json()
    assert response.status_code == 422 and problem["code"] == "checksum_mismatch"
    assert "residents.csv" in problem["detail"]
    assert count_rows(system_session, LinkBatch) == 0
    assert system_session.scalar(select(func.count()).select_from(LinkFileChunk)
                                 .where(LinkFileChunk.lg_code == LINK_CODE)) == 0


@pytest.mark.parametrize(("change", "code"), [
    (lambda m: m["files"][0].update(records=m["files"][0]["records"] + 1), "record_count_mismatch"),
    (lambda m: m.update(lg_code=DEMO_CODE), "lg_code_mismatch"),
    (lambda m: m.update(lg_code="012034"), "manifest_invalid"),
    (lambda m: m.update(mode="diff"), "manifest_invalid"),
    (lambda m: m.update(format="other"), "manifest_invalid"),
    (lambda m: m.update(reference_at="2026-11-25T03:00:00"), "manifest_invalid"),
    (lambda m: m["files"].pop(), "manifest_invalid"),
    (lambda m: m["files"][0].update(name="nothing.csv"), "file_missing"),
])
def test_bad_manifests_are_refused_precisely(web, link, town, tmp_path, change, code):
    batch = write_full_batch(town, tmp_path / "b1.zip")
    bad = rewrite_batch(batch, tmp_path / "bad.zip", manifest=change)
    response = post_batch(web.client, link, bad)
    assert response.status_code in (409, 422), response.get_data(as_text=True)
    assert response.get_json()["code"] == code


def test_not_a_zip_is_refused(web, link, tmp_path):
    path = tmp_path / "x.zip"
    path.write_bytes(b"hello")
    assert post_batch(web.client, link, path).get_json()["code"] == "not_a_zip"
    response = web.client.post("/api/link/v1/batches", data=b"{}", content_type="application/json",
                               headers={"Authorization": f"Bearer {link}"})
    assert response.get_json()["code"] == "not_a_zip"


def test_row_errors_reject_the_whole_batch_with_file_line_column_and_reason(web, link, town, tmp_path,
                                                                              system_session):
    batch = write_full_batch(town, tmp_path / "b1.zip")
    rows = residents_rows(batch)
    col = {h: i for i, h in enumerate(RESIDENT_HEADER)}
    rows[3][col["生年月日"]] = "H31.05.01"  # Heisei ended on 04-30
    rows[5][col["氏名カナ"]] = "yamada"
    rows[7][col["性別"]] = "3"
    rows[9][col["個人番号"]] = "123456789010"
    rows[11][col["宛名番号"]] = rows[2][col["宛名番号"]]
    rows[13][col["住民となった日"]] = "2023-02-29"  # PostgreSQL would refuse the cast: the checks explain it
    result = _send(web, link, with_residents(batch, rows, tmp_path / "bad.zip"))
    assert result["status"] == "rejected" and result["error_count"] >= 5
    errors = api_get(web.client, link, result["errors_url"]).get_json()["errors"]
    found = {(e["file"], e["line"], e["column"], e["code"]) for e in errors}
    assert ("residents.csv", 4, "生年月日", "date") in found
    assert ("residents.csv", 6, "氏名カナ", "format") in found
    assert ("residents.csv", 8, "性別", "format") in found
    assert ("residents.csv", 10, "個人番号", "check_digit") in found
    assert ("residents.csv", 14, "住民となった日", "date") in found
    date_error = next(e for e in errors if e["line"] == 4)
    assert "H31.05.01" in date_error["message"]
    assert count_rows(system_session, Resident) == 0 and count_rows(system_session, Generation) == 0


def test_a_rejected_sequence_can_be_sent_again_corrected(web, link, town, tmp_path):
    batch = write_full_batch(town, tmp_path / "b1.zip")
    rows = residents_rows(batch)
    rows[2][RESIDENT_HEADER.index("性別")] = "X"
    assert _send(web, link, with_residents(batch, rows, tmp_path / "bad.zip"))["status"] == "rejected"
    assert _send(web, link, batch)["status"] == "applied"


def test_cross_row_rules_duplicates_households_and_references(web, link, town, tmp_path):
    batch = write_full_batch(town, tmp_path / "b1.zip")
    rows = residents_rows(batch)
    col = {h: i for i, h in enumerate(RESIDENT_HEADER)}
    heads = [i for i, r in enumerate(rows[1:], start=1) if r[col["世帯主"]] == "1" and r[col["住民状態"]] == "1"]
    rows[heads[0]][col["世帯主"]] = "0"  # a household without its head
    duplicate = list(rows[1])
    rows.append(duplicate)  # the same 宛名番号 twice
    result = _send(web, link, with_residents(batch, rows, tmp_path / "bad.zip"))
    errors = api_get(web.client, link, result["errors_url"]).get_json()["errors"]
    codes = {e["code"] for e in errors}
    assert "duplicate" in codes
    duplicate_error = next(e for e in errors if e["code"] == "duplicate")
    assert duplicate_error["line"] == len(rows) and "2行目と重複" in duplicate_error["message"]
    fixed = list(rows[:-1])
    result = _send(web, link, with_residents(batch, fixed, tmp_path / "bad2.zip"))
    errors = api_get(web.client, link, result["errors_url"]).get_json()["errors"]
    assert [e["code"] for e in errors] == ["household_head"]
    assert errors[0]["line"] is not None


def test_a_seal_for_an_unknown_resident_is_a_reference_error(web, link, town, tmp_path):
    batch = write_full_batch(town, tmp_path / "b1.zip")
    seals = zip_entries(batch.read_bytes())["seals.csv"].decode("utf-8")
    lines = seals.split("\r\n")
    fields = next(csv.reader([lines[1]]))
    fields[1] = "999999999"
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerow(fields)
    lines[1] = buffer.getvalue().rstrip("\r\n")
    bad = rewrite_batch(batch, tmp_path / "bad.zip", files={"seals.csv": "\r\n".join(lines).encode()})
    result = _send(web, link, bad)
    errors = api_get(web.client, link, result["errors_url"]).get_json()["errors"]
    assert [(e["file"], e["line"], e["code"]) for e in errors] == [("seals.csv", 2, "reference")]


def test_header_and_csv_structure_errors(web, link, town, tmp_path):
    batch = write_full_batch(town, tmp_path / "b1.zip")
    data = zip_entries(batch.read_bytes())["residents.csv"]
    wrong_header = data.replace("氏名カナ".encode(), "カナ氏名".encode(), 1)
    result = _send(web, link, rewrite_batch(batch, tmp_path / "h.zip", files={"residents.csv": wrong_header}))
    error = api_get(web.client, link, result["errors_url"]).get_json()["errors"][0]
    assert (error["line"], error["code"]) == (1, "header") and "6列目は「氏名カナ」" in error["message"]
    lines = data.split(b"\r\n")
    lines[3] = lines[3] + b",extra"
    result = _send(web, link, rewrite_batch(batch, tmp_path / "c.zip", files={"residents.csv": b"\r\n".join(lines)}))
    error = api_get(web.client, link, result["errors_url"]).get_json()["errors"][0]
    assert (error["line"], error["code"]) == (4, "csv_format") and "列が多すぎます" in error["message"]


def test_cp932_with_gaiji_and_utf8_with_bom_survive_exactly(web, link, tmp_path, system_session):
    big = town_with("𠮷")
    cp932 = write_full_batch(big, tmp_path / "cp932.zip", encodings={k: "CP932" for k in spec.KINDS})
    gaiji = json.loads(zip_entries(cp932.read_bytes())["gaiji.json"])
    pua = next(iter(gaiji))  # the private-use character standing for 𠮷
    result = _send(web, link, cp932)
    assert result["status"] == "applied"
    stored = system_session.scalars(select(Resident.name).where(Resident.lg_code == LINK_CODE,
                                                                Resident.name.contains(pua))).all()
    assert stored, "the 外字 did not arrive"
    characters = result["report"]["characters"]
    assert any(c["char"] == pua and c["kind"] == "外字（私用領域）" and c["column"] == "氏名" for c in characters)
    assert any(c["codepoint"] == "U+9AD9" for c in characters) or any(
        c["kind"] == "JIS X 0208外" for c in characters)


def test_utf8_bom_and_non_bmp_characters(web, link, tmp_path, system_session):
    big = town_with("𠮷")
    batch = write_full_batch(big, tmp_path / "bom.zip", bom=True)
    assert zip_entries(batch.read_bytes())["residents.csv"].startswith(b"\xef\xbb\xbf")
    result = _send(web, link, batch)
    assert result["status"] == "applied"
    assert system_session.scalars(select(Resident.name).where(Resident.lg_code == LINK_CODE,
                                                              Resident.name.contains("𠮷"))).first()
    kinds = {c["codepoint"]: c for c in result["report"]["characters"]}
    assert "U+20BB7" in kinds and kinds["U+20BB7"]["line"] >= 2


def test_diff_applies_changes_and_restore_rebuilds_the_state(web, link, town, tmp_path, system_session):
    _send(web, link, write_full_batch(town, tmp_path / "b1.zip"))
    diff = write_diff_batch(town, tmp_path / "d2.zip", sequence=2, changes=60)
    result = _send(web, link, diff)
    assert result["status"] == "applied", result
    generations = api_get(web.client, link, "/api/link/v1/generations").get_json()["generations"]
    assert [g["number"] for g in generations] == [2, 1] and generations[0]["base"] == 1
    export = api_get(web.client, link, "/api/link/v1/generations/2/export")
    assert export.status_code == 200 and export.mimetype == "application/zip"
    entries = zip_entries(export.get_data())
    export.close()
    manifest = json.loads(entries["manifest.json"])
    assert manifest["mode"] == "full" and manifest["restored_generation"] == 2
    rows = list(csv.reader(io.StringIO(entries["residents.csv"].decode("utf-8"))))
    assert tuple(rows[0]) == RESIDENT_HEADER
    exported = {r[0]: r[4] for r in rows[1:]}
    current = dict(system_session.execute(select(Resident.atena_no, Resident.name)
                                          .where(Resident.lg_code == LINK_CODE)).all())
    assert exported == current
    assert all(r[10][4] == "-" for r in rows[1:])  # dates in canonical YYYY-MM-DD


def test_full_generation_restores_byte_identical(web, link, town, tmp_path):
    batch = write_full_batch(town, tmp_path / "b1.zip", encodings={"residents": "CP932", "seals": "UTF-8",
                                                                  "taxes": "UTF-8", "welfare": "CP932"}, bom=True)
    _send(web, link, batch)
    _send(web, link, write_diff_batch(town, tmp_path / "d2.zip", sequence=2, changes=30))
    export = api_get(web.client, link, "/api/link/v1/generations/1/export")
    original, restored = zip_entries(batch.read_bytes()), zip_entries(export.get_data())
    export.close()
    for name in ("manifest.json", "residents.csv", "seals.csv", "taxes.csv", "welfare.csv"):
        assert restored[name] == original[name], name


def test_diff_key_errors(web, link, town, tmp_path):
    _send(web, link, write_full_batch(town, tmp_path / "b1.zip"))
    diff = write_diff_batch(town, tmp_path / "d2.zip", sequence=2, changes=40)
    data = zip_entries(diff.read_bytes())["residents.csv"].decode("utf-8")
    lines = data.split("\r\n")
    fields = next(csv.reader([lines[1]]))
    fields[0] = "1" if fields[0] == "2" else "2"  # 追加 of an existing person, or 更新 of a new one
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerow(fields)
    lines[1] = buffer.getvalue().rstrip("\r\n")
    bad = rewrite_batch(diff, tmp_path / "bad.zip", files={"residents.csv": "\r\n".join(lines).encode()})
    result = _send(web, link, bad)
    errors = api_get(web.client, link, result["errors_url"]).get_json()["errors"]
    assert any(e["line"] == 2 and e["code"] in ("diff_key", "format") for e in errors), errors


def test_one_municipality_never_sees_anothers_batches(web, db, link, town, tmp_path):
    first = _send(web, link, write_full_batch(town, tmp_path / "b1.zip"))
    other = make_municipality(db, "012041", "別の町")
    assert api_get(web.client, other, f"/api/link/v1/batches/{first['id']}").status_code == 404
    assert api_get(web.client, other, "/api/link/v1/generations").get_json()["generations"] == []
    assert api_get(web.client, other, "/api/link/v1/generations/1/export").status_code == 404


def test_a_revoked_token_is_refused(web, link, town, tmp_path, system_session):
    system_session.execute(text("UPDATE link_tokens SET revoked_at = now() WHERE lg_code = :c"), {"c": LINK_CODE})
    system_session.commit()
    response = post_batch(web.client, link, write_full_batch(town, tmp_path / "b1.zip"))
    assert response.status_code == 401


def test_openapi_document_describes_the_api(web):
    document = web.get("/api/link/v1/openapi.json").get_json()
    assert document["openapi"].startswith("3.1")
    assert {"/batches", "/batches/{batch_id}", "/batches/{batch_id}/errors", "/status", "/generations",
            "/generations/{number}/export"} <= set(document["paths"])
