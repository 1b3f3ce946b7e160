"""A batch whose processing stopped (its worker died mid-apply, or the job failed for good) is ended
by an administrator on the batch's screen or with ``flask link end-batch``: it becomes rejected and
its number can be sent again. A batch a live worker is applying is never ended. ``flask link load``
says what became of its batch, with an exit status to match."""
import psycopg
import pytest
from sqlalchemy import select, text

from app.audit.models import AuditEntry
from app.jobs.models import Job
from app.residents.link import checks
from app.residents.models import LinkBatch, LinkError
from fixtures.link_batch import write_diff_batch
from fixtures.town import DEMO_TOWN, generate_town
from tests.helpers.demo import DEMO_CODE
from tests.helpers.link import run_jobs, upload_batch

REASON = "処理サーバが停止したため"


@pytest.fixture()
def demo_town():
    return generate_town(DEMO_TOWN, residents=600, seed=1)  # what the test database was loaded with


@pytest.fixture()
def diff(demo_town, tmp_path):
    return write_diff_batch(demo_town, tmp_path / "d2.zip", sequence=2, changes=40)


def _db():
    from app.extensions import db

    return db


def _received(as_admin, path) -> int:
    answer = upload_batch(as_admin, path).get_json()
    assert answer["ok"], answer
    return int(answer["location"].rsplit("/", 1)[1])


def _claimed_by_a_worker(system_session, batch_id: int, silent_seconds: int) -> None:
    """As if a worker claimed the batch's job and last sent a heartbeat ``silent_seconds`` ago."""
    system_session.execute(text(
        "UPDATE jobs SET status = 'running', attempts = 1, worker = 'host-a:4711', progress = 60, "
        "progress_label = '住民を反映しています', started_at = now() - make_interval(secs => :s + 30), "
        "heartbeat_at = now() - make_interval(secs => :s) "
        "WHERE id = (SELECT job_id FROM link_batches WHERE id = :b)"), {"b": batch_id, "s": silent_seconds})
    system_session.commit()


def _end(as_admin, batch_id: int, reason: str = REASON, confirm: bool = True):
    form = {"reason": reason} | ({"confirm": "y"} if confirm else {})
    return as_admin.post(f"/residents/batches/{batch_id}/end", form, form_page=f"/residents/batches/{batch_id}")


def _state(system_session, batch_id: int) -> tuple[str, str]:
    batch = system_session.get(LinkBatch, batch_id)
    system_session.refresh(batch)
    job = system_session.get(Job, batch.job_id)
    system_session.refresh(job)
    return batch.status, job.status


def _end_entries(system_session) -> list[AuditEntry]:
    return list(system_session.scalars(select(AuditEntry).where(AuditEntry.action == "link_batch_end",
                                                                AuditEntry.lg_code == DEMO_CODE)))


def test_a_batch_left_by_a_dead_worker_is_ended_on_its_screen_and_sent_again(as_admin, diff, system_session):
    batch_id = _received(as_admin, diff)
    _claimed_by_a_worker(system_session, batch_id, silent_seconds=300)
    page = as_admin.get(f"/residents/batches/{batch_id}").get_data(as_text=True)
    assert 'id="end-batch-form"' in page and "処理プロセスの応答が300秒ありません" in page
    ended = _end(as_admin, batch_id)
    assert ended.status_code == 302, ended.get_data(as_text=True)
    page = as_admin.get(ended.headers["Location"]).get_data(as_text=True)
    assert "処理を終了しました" in page and "エラー（未反映）" in page and "processing_ended" in page
    assert _state(system_session, batch_id) == ("rejected", "failed")
    error = system_session.scalars(select(LinkError).where(LinkError.batch_id == batch_id)).one()
    assert error.code == "processing_ended" and REASON in error.message and "admin" in error.message
    [entry] = _end_entries(system_session)
    assert entry.login_id == "admin" and entry.target_ids == [str(batch_id)]
    assert (entry.detail["reason"], entry.detail["sequence"], entry.detail["job_status"]) == (REASON, 2, "running")
    again = _received(as_admin, diff)  # the same number, sent again: a new batch
    assert again != batch_id and run_jobs(_db()) == 1
    assert system_session.get(LinkBatch, again).status == "applied"


def test_a_batch_a_live_worker_is_applying_is_not_ended(as_admin, diff, system_session):
    batch_id = _received(as_admin, diff)
    _claimed_by_a_worker(system_session, batch_id, silent_seconds=5)
    refused = _end(as_admin, batch_id)
    assert refused.status_code == 409
    page = refused.get_data(as_text=True)
    assert "反映処理を実行中です" in page and "60秒ない場合に終了できます" in page
    assert _state(system_session, batch_id) == ("queued", "running")
    assert _end_entries(system_session) == []


def test_ending_needs_a_reason_and_the_confirmation(as_admin, diff, system_session):
    batch_id = _received(as_admin, diff)
    _claimed_by_a_worker(system_session, batch_id, silent_seconds=300)
    unconfirmed = _end(as_admin, batch_id, confirm=False)
    assert unconfirmed.status_code == 422 and "確認のチェックを入れてください" in unconfirmed.get_data(as_text=True)
    blank = _end(as_admin, batch_id, reason="  ")
    assert blank.status_code == 422 and "理由を入力してください" in blank.get_data(as_text=True)
    control = _end(as_admin, batch_id, reason="止まった\x07")
    assert control.status_code == 422 and "制御文字は使えません" in control.get_data(as_text=True)
    nul = _end(as_admin, batch_id, reason="止まった\x00")  # refused for the whole request, before the view
    assert nul.status_code == 400 and "使用できない文字" in nul.get_data(as_text=True)
    assert _state(system_session, batch_id) == ("queued", "running")


def test_a_finished_batch_is_not_ended(as_admin, diff, system_session):
    batch_id = _received(as_admin, diff)
    run_jobs(_db())
    refused = _end(as_admin, batch_id)
    assert refused.status_code == 409 and "既に終わっています（反映済み）" in refused.get_data(as_text=True)
    assert _state(system_session, batch_id) == ("applied", "done")


def test_the_cli_ends_a_stuck_batch_and_refuses_a_live_one(app, as_admin, diff, system_session):
    batch_id = _received(as_admin, diff)
    runner = app.test_cli_runner()
    args = ["link", "end-batch", "--lg-code", DEMO_CODE, "--sequence", "2", "--reason", REASON]
    _claimed_by_a_worker(system_session, batch_id, silent_seconds=10)
    refused = runner.invoke(args=args)
    assert refused.exit_code == 1 and "batch_in_progress" in refused.output
    _claimed_by_a_worker(system_session, batch_id, silent_seconds=120)
    ended = runner.invoke(args=args)
    assert ended.exit_code == 0 and "ended" in ended.output and "sequence 2" in ended.output, ended.output
    assert _state(system_session, batch_id) == ("rejected", "failed")
    [entry] = _end_entries(system_session)
    assert entry.login_id == "cli" and entry.detail["reason"] == REASON
    none_left = runner.invoke(args=args)
    assert none_left.exit_code == 1 and "batch_not_open" in none_left.output


def test_cli_load_says_when_its_batch_waits_for_an_earlier_one(app, as_admin, diff, demo_town, tmp_path,
                                                              system_session):
    _claimed_by_a_worker(system_session, _received(as_admin, diff), silent_seconds=300)
    third = write_diff_batch(demo_town, tmp_path / "d3.zip", sequence=3, changes=10)
    with app.app_context():  # as flask's own command line runs it
        result = app.test_cli_runner().invoke(args=["link", "load", str(third), "--lg-code", DEMO_CODE])
    assert result.exit_code == 3, result.output
    assert "sequence 3 is not applied yet" in result.output and "連番 2 の処理が終わるのを待っています" in result.output
    queued = app.test_cli_runner().invoke(args=["link", "load", str(third), "--lg-code", DEMO_CODE, "--no-wait"])
    assert queued.exit_code == 0 and "no-op" in queued.output and "jobs work" in queued.output


def test_cli_load_fails_loudly_when_the_job_fails_for_good(app, as_admin, diff, system_session, monkeypatch):
    def lost_connection(*_args):
        raise psycopg.OperationalError("server closed the connection unexpectedly")

    batch_id = _received(as_admin, diff)
    system_session.execute(text("UPDATE jobs SET max_attempts = 1 WHERE id = "
                                "(SELECT job_id FROM link_batches WHERE id = :b)"), {"b": batch_id})
    system_session.commit()
    monkeypatch.setattr(checks, "check_duplicates", lost_connection)
    with app.app_context():
        result = app.test_cli_runner().invoke(args=["link", "load", str(diff), "--lg-code", DEMO_CODE])
    assert result.exit_code == 1, result.output
    assert "failed: sequence 2 is not applied" in result.output and "link end-batch" in result.output
    assert "server closed the connection unexpectedly" in result.output
    assert _state(system_session, batch_id) == ("queued", "failed")
