"""Unusual but valid batches through the link API: files of only their header, 和暦 dates at the
edge of the 基準日時, 住民票コード shared by two people, one character outside JIS X 0208 in two
columns, a job that fails; and the problem documents' titles."""
import pytest
from sqlalchemy import func, select

from app.residents.link import checks
from app.residents.models import Generation, Resident, WelfareRecord
from fixtures.link_batch import (
    DIFF_PREFIX,
    RESIDENT_HEADER,
    SEAL_HEADER,
    WELFARE_HEADER,
    write_diff_batch,
    write_full_batch,
)
from tests.factories import LINK_CODE, make_municipality, small_town
from tests.helpers.link import (
    api_get,
    count_rows,
    post_batch,
    residents_rows,
    rewrite_batch,
    send_batch,
    with_residents,
    zip_entries,
)

COLUMN = {header: index for index, header in enumerate(RESIDENT_HEADER)}


@pytest.fixture()
def link(db):
    return make_municipality(db)


def _errors(web, token, batch: dict) -> list[dict]:
    return api_get(web.client, token, batch["errors_url"]).get_json()["errors"]


def test_a_full_batch_with_files_of_only_their_header_is_applied(web, link, tmp_path, system_session):
    batch = write_full_batch(small_town(), tmp_path / "b1.zip")
    header_only = {name: (",".join(header) + "\r\n").encode("utf-8")
                   for name, header in (("welfare.csv", WELFARE_HEADER), ("seals.csv", SEAL_HEADER))}
    result = send_batch(web.client, link, rewrite_batch(batch, tmp_path / "h.zip", files=header_only))
    assert result["status"] == "applied", result
    counts = result["report"]["counts"]
    assert counts["welfare"] == counts["seals"] == {"read": 0, "added": 0, "changed": 0, "removed": 0,
                                                    "unchanged": 0}
    assert counts["residents"]["added"] == count_rows(system_session, Resident) > 0
    assert count_rows(system_session, WelfareRecord) == 0
    state = api_get(web.client, link, "/api/link/v1/status").get_json()
    assert state["expected_sequence"] == 2 and state["last_applied_sequence"] == 1


@pytest.mark.parametrize("birth", ["R08.12.31", "R08.11.26", "2026-11-26"])
def test_a_birth_date_after_the_reference_date_is_refused_in_both_forms(web, link, tmp_path, birth):
    batch = write_full_batch(small_town(), tmp_path / "b1.zip", reference_at="2026-11-25T03:00:00+09:00")
    rows = residents_rows(batch)
    rows[4][COLUMN["生年月日"]] = birth
    result = send_batch(web.client, link, with_residents(batch, rows, tmp_path / "bad.zip"))
    assert result["status"] == "rejected"
    assert [(e["line"], e["column"], e["code"]) for e in _errors(web, link, result)] == [(5, "生年月日", "consistency")]


def test_a_birth_date_on_the_reference_date_in_wareki_is_applied(web, link, tmp_path):
    batch = write_full_batch(small_town(), tmp_path / "b1.zip", reference_at="2026-11-25T03:00:00+09:00")
    rows = residents_rows(batch)
    rows[4][COLUMN["生年月日"]] = "R08.11.25"
    assert send_batch(web.client, link, with_residents(batch, rows, tmp_path / "ok.zip"))["status"] == "applied"


def test_a_resident_code_shared_by_two_people_refuses_the_batch_naming_both_lines(web, link, tmp_path,
                                                                                   system_session):
    batch = write_full_batch(small_town(), tmp_path / "b1.zip")
    rows = residents_rows(batch)
    rows[6][COLUMN["住民票コード"]] = rows[2][COLUMN["住民票コード"]]
    result = send_batch(web.client, link, with_residents(batch, rows, tmp_path / "bad.zip"))
    assert result["status"] == "rejected"
    errors = _errors(web, link, result)
    assert [(e["line"], e["column"], e["code"]) for e in errors] == [(7, "住民票コード", "duplicate")]
    assert "3行目と重複" in errors[0]["message"]
    assert count_rows(system_session, Resident) == 0


DIFF = len(DIFF_PREFIX)  # a diff row's resident columns start after 異動区分, 異動事由, 異動日


def _diff_after_a_full_batch(web, link, tmp_path) -> tuple:
    """Batch 1 (full) applied; batch 2 (a diff of 30 changes) and its residents rows."""
    town = small_town()
    assert send_batch(web.client, link, write_full_batch(town, tmp_path / "b1.zip"))["status"] == "applied"
    diff = write_diff_batch(town, tmp_path / "d2.zip", sequence=2, changes=30)
    return diff, residents_rows(diff)


def _resident_outside(system_session, rows, *conditions):
    """(宛名番号, 住民票コード) of a resident of the copy the diff ``rows`` do not name."""
    named = {row[DIFF + COLUMN["宛名番号"]] for row in rows[1:]}
    return system_session.execute(select(Resident.atena_no, Resident.resident_code).where(
        Resident.lg_code == LINK_CODE, Resident.atena_no.not_in(named), *conditions)
        .order_by(Resident.id).limit(1)).one()


def test_a_diff_giving_a_resident_code_another_resident_holds_is_refused(web, link, tmp_path, system_session):
    diff, rows = _diff_after_a_full_batch(web, link, tmp_path)
    line = next(i for i, row in enumerate(rows[1:], start=1) if row[0] == "2")  # a 更新 row
    other = _resident_outside(system_session, rows)
    rows[line][DIFF + COLUMN["住民票コード"]] = other.resident_code
    result = send_batch(web.client, link, with_residents(diff, rows, tmp_path / "bad.zip"))
    assert result["status"] == "rejected", result
    errors = _errors(web, link, result)
    assert [(e["line"], e["column"], e["code"]) for e in errors] == [(line + 1, "住民票コード", "duplicate")]
    assert f"宛名番号 {other.atena_no} の住民と重複" in errors[0]["message"]
    assert system_session.scalar(select(func.max(Generation.number)).where(Generation.lg_code == LINK_CODE)) == 1


def test_a_diff_may_hand_a_removed_records_resident_code_to_a_new_record(web, link, tmp_path, system_session):
    diff, rows = _diff_after_a_full_batch(web, link, tmp_path)
    added = next(row for row in rows[1:] if row[0] == "1")
    # a record entered in error (記録の取消) whose 住民票コード the right record then takes
    wrong = _resident_outside(system_session, rows, Resident.is_household_head.is_(False))
    removal = ["3", "99", added[2]] + [""] * len(RESIDENT_HEADER)
    removal[DIFF + COLUMN["宛名番号"]] = wrong.atena_no
    added[DIFF + COLUMN["住民票コード"]] = wrong.resident_code
    rows.insert(1, removal)
    result = send_batch(web.client, link, with_residents(diff, rows, tmp_path / "ok.zip"))
    assert result["status"] == "applied", _errors(web, link, result)


def test_a_character_outside_jis_in_two_columns_is_reported_in_each(web, link, tmp_path):
    batch = write_full_batch(small_town(), tmp_path / "b1.zip")
    rows = residents_rows(batch)
    rows[3][COLUMN["氏名"]] = "髙" + rows[3][COLUMN["氏名"]]
    rows[3][COLUMN["前住所"]] = "髙松市" + rows[3][COLUMN["前住所"]]
    rows[3][COLUMN["方書"]] = "髙﨑ハイツ"
    result = send_batch(web.client, link, with_residents(batch, rows, tmp_path / "c.zip"))
    assert result["status"] == "applied", result
    found = [(c["line"], c["column"], c["char"]) for c in result["report"]["characters"] if c["line"] == 4]
    assert found == [(4, "氏名", "髙"), (4, "方書", "髙"), (4, "方書", "﨑"), (4, "前住所", "髙")]


def test_a_batch_whose_job_fails_ends_rejected_and_its_number_can_be_sent_again(web, link, tmp_path,
                                                                                monkeypatch, system_session):
    def broken(_result):
        raise RuntimeError("the household rule broke")

    monkeypatch.setattr(checks, "check_households", broken)
    batch = write_full_batch(small_town(), tmp_path / "b1.zip")
    result = send_batch(web.client, link, batch)
    assert result["status"] == "rejected" and result["job_status"] == "done", result
    errors = _errors(web, link, result)
    assert [(e["code"], e["line"]) for e in errors] == [("processing_error", None)]
    assert "RuntimeError: the household rule broke" in errors[0]["message"]
    assert "同じ連番 1 で送り直せます" in errors[0]["message"]
    assert count_rows(system_session, Resident) == 0
    monkeypatch.undo()
    assert send_batch(web.client, link, batch)["status"] == "applied"


def _problem(response, status: int, code: str, title: str) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    problem = response.get_json()
    assert (problem["code"], problem["title"]) == (code, title)
    return problem


def test_each_link_problem_has_its_own_title(web, link, tmp_path):
    first = write_full_batch(small_town(), tmp_path / "b1.zip")
    send_batch(web.client, link, first)
    gap = write_diff_batch(small_town(), tmp_path / "d3.zip", sequence=3, changes=10)
    _problem(post_batch(web.client, link, gap), 409, "sequence_gap", "連番が飛んでいます")
    other = write_full_batch(small_town(residents=130), tmp_path / "other.zip")
    _problem(post_batch(web.client, link, other), 409, "sequence_conflict", "この連番は別の内容で受け付け済みです")
    entries = zip_entries(first.read_bytes())
    broken = rewrite_batch(first, tmp_path / "x.zip", files={"taxes.csv": entries["taxes.csv"] + b"1\r\n"},
                           fix_checksums=False, manifest=lambda m: m.update(sequence=2))
    _problem(post_batch(web.client, link, broken), 422, "checksum_mismatch",
             "ファイルのSHA-256が manifest.json と一致しません")
    not_zip = tmp_path / "n.zip"
    not_zip.write_bytes(b"not a zip")
    _problem(post_batch(web.client, link, not_zip), 422, "not_a_zip", "ZIP形式ではありません")


def test_a_batch_over_the_size_limit_is_refused_as_too_large(web, app, link, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 1024 * 1024)
    batch = write_full_batch(small_town(residents=3000), tmp_path / "big.zip", compress=False)
    assert batch.stat().st_size > 1024 * 1024
    problem = _problem(post_batch(web.client, link, batch), 413, "too_large", "バッチが大きすぎます")
    assert "1MBまで" in problem["detail"]
