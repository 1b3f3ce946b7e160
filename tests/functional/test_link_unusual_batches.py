"""Unusual but valid batches through the link API: files of only their header, 和暦 dates at the
edge of the 基準日時, a job that fails."""
import pytest

from app.residents.link import checks
from app.residents.models import Resident, WelfareRecord
from fixtures.link_batch import (
    RESIDENT_HEADER,
    SEAL_HEADER,
    WELFARE_HEADER,
    write_full_batch,
)
from tests.functional.link_helpers import (
    api_get,
    count_rows,
    make_municipality,
    residents_rows,
    rewrite_batch,
    send_batch,
    small_town,
    with_residents,
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
