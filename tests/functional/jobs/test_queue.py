"""The job queue: failed jobs are tried again after growing waits and fail for good after their
last attempt; jobs of one lock run one at a time per municipality, without a waiting job holding
up the others; periodic jobs are queued when due; and ``flask jobs list|retry|cancel``."""
import pytest
import sqlalchemy.exc
from sqlalchemy import text

from app.jobs.services import JobContext, RetryLater, Worker, enqueue, handler
from app.maps.jobs import PURGE_ANALYSES_JOB
from tests.helpers.demo import DEMO_CODE, SECOND_CODE

FLAKY = "test.flaky"
ORDERED = "test.ordered"
WAITS = "test.waits_for_a_later_job"
_ran: list[tuple[str, str | None, int]] = []


@handler(FLAKY, max_attempts=3)
def _flaky(context: JobContext) -> dict:
    raise RuntimeError(f"接続が切れました ({context.job_id})")


@handler(ORDERED, lock="test.town")
def _ordered(context: JobContext) -> dict:
    _ran.append((ORDERED, context.lg_code, context.payload["n"]))
    return {}


@handler(WAITS, lock="test.town")
def _waits(context: JobContext) -> dict:
    done = [n for kind, _, n in _ran if kind == ORDERED]
    if 2 not in done:
        raise RetryLater(5, "連番 2 を待っています")
    _ran.append((WAITS, context.lg_code, 3))
    return {}


@pytest.fixture(autouse=True)
def _fresh_log():
    _ran.clear()


def _queue(system_session, kind: str, lg_code: str | None, **payload) -> int:
    job_id = enqueue(system_session, kind, payload, lg_code).id
    system_session.commit()
    return job_id


def _job(system_session, job_id: int) -> dict:
    system_session.expire_all()
    return system_session.execute(text(
        "SELECT status, attempts, max_attempts, error, progress_label, lock, finished_at IS NOT NULL AS finished, "
        "extract(epoch FROM run_after - now()) AS wait FROM jobs WHERE id = :id"), {"id": job_id}).mappings().one()


def _time_passes(system_session, job_id: int) -> None:
    """The job's wait is over (now() stands still in the test's transaction)."""
    system_session.execute(text("UPDATE jobs SET run_after = now() WHERE id = :id"), {"id": job_id})
    system_session.commit()


def test_a_failing_job_waits_longer_after_each_failure_and_fails_for_good_after_its_last_attempt(db, system_session):
    job_id = _queue(system_session, FLAKY, DEMO_CODE)
    worker = Worker(db)
    assert worker.run_pending() == 1
    first = _job(system_session, job_id)
    assert (first["status"], first["attempts"], first["wait"]) == ("queued", 1, 5)
    assert "接続が切れました" in first["error"] and first["progress_label"] == \
        "エラーのため5秒後に再試行します（1/3回目が失敗）"
    assert worker.run_pending() == 0  # not due yet
    _time_passes(system_session, job_id)
    assert worker.run_pending() == 1
    second = _job(system_session, job_id)
    assert (second["status"], second["attempts"], second["wait"]) == ("queued", 2, 10)
    _time_passes(system_session, job_id)
    assert worker.run_pending() == 1
    last = _job(system_session, job_id)
    assert (last["status"], last["attempts"], last["finished"]) == ("failed", 3, True)
    assert last["error"].strip().endswith(f"RuntimeError: 接続が切れました ({job_id})")
    _time_passes(system_session, job_id)
    assert worker.run_pending() == 0


def test_jobs_of_one_lock_run_one_at_a_time_per_municipality(db, system_session):
    first = _queue(system_session, ORDERED, DEMO_CODE, n=1)
    second = _queue(system_session, ORDERED, DEMO_CODE, n=2)
    other_town = _queue(system_session, ORDERED, SECOND_CODE, n=1)
    assert _job(system_session, first)["lock"] == f"test.town:{DEMO_CODE}"
    worker = Worker(db)
    assert worker.claim() == first
    assert worker.claim() == other_town  # the demo town's second job waits for its first
    assert worker.claim() is None
    worker.execute(first)
    worker.execute(other_town)
    assert worker.claim() == second
    worker.execute(second)
    assert _ran == [(ORDERED, DEMO_CODE, 1), (ORDERED, SECOND_CODE, 1), (ORDERED, DEMO_CODE, 2)]


def test_the_database_refuses_two_running_jobs_of_one_lock(db, system_session):
    first, second = _queue(system_session, ORDERED, DEMO_CODE, n=1), _queue(system_session, ORDERED, DEMO_CODE, n=2)
    with pytest.raises(sqlalchemy.exc.IntegrityError, match="uq_jobs_running_lock"):
        system_session.execute(text("UPDATE jobs SET status = 'running' WHERE id IN (:a, :b)"),
                               {"a": first, "b": second})
    system_session.rollback()


def test_a_job_waiting_for_a_later_one_does_not_hold_its_lock(db, system_session):
    """Batch 3 queued before a re-sent batch 2 of the same town: 3 waits (RetryLater) and 2 runs."""
    waiting = _queue(system_session, WAITS, DEMO_CODE)
    resent = _queue(system_session, ORDERED, DEMO_CODE, n=2)
    worker = Worker(db)
    assert worker.run_pending() == 2
    assert _ran == [(ORDERED, DEMO_CODE, 2)]
    assert _job(system_session, waiting)["status"] == "queued" and _job(system_session, resent)["status"] == "done"
    _time_passes(system_session, waiting)
    assert worker.run_pending() == 1
    assert _ran[-1] == (WAITS, DEMO_CODE, 3) and _job(system_session, waiting)["attempts"] == 1


def _expired_analysis(system_session, lg_code: str) -> int:
    return system_session.execute(text("""
        INSERT INTO spatial_analyses (lg_code, user_id, polygon, layer_code, min_class, description, counts, expires_at)
        SELECT CAST(:lg AS varchar), min(id), '', 'flood', '', '期限切れ', '{}', now() - interval '1 minute'
        FROM users WHERE lg_code = :lg RETURNING id"""), {"lg": lg_code}).scalar()


def test_the_expired_analyses_of_every_town_are_purged_by_a_periodic_job(db, system_session):
    expired = [_expired_analysis(system_session, code) for code in (DEMO_CODE, SECOND_CODE)]
    system_session.commit()
    worker = Worker(db)
    assert PURGE_ANALYSES_JOB in worker.schedule_periodic()
    assert PURGE_ANALYSES_JOB not in worker.schedule_periodic()  # queued already
    assert worker.run_pending(kinds=(PURGE_ANALYSES_JOB,)) == 1
    assert system_session.scalar(text("SELECT count(*) FROM spatial_analyses WHERE id = ANY(:ids)"),
                                 {"ids": expired}) == 0
    job = system_session.execute(text("SELECT id, status, lg_code, result FROM jobs WHERE kind = :k"),
                                 {"k": PURGE_ANALYSES_JOB}).one()
    assert job[1:] == ("done", None, {"purged": 2})
    assert PURGE_ANALYSES_JOB not in worker.schedule_periodic()  # ran within the hour
    system_session.execute(text("UPDATE jobs SET created_at = now() - interval '61 minutes' WHERE id = :id"),
                           {"id": job[0]})
    system_session.commit()
    assert PURGE_ANALYSES_JOB in worker.schedule_periodic()


def _cli(app, *args):
    return app.test_cli_runner().invoke(args=["jobs", *args])


def test_jobs_list_shows_the_queue_with_filters(app, db, system_session):
    failed = _queue(system_session, FLAKY, SECOND_CODE)
    system_session.execute(text("UPDATE jobs SET max_attempts = 1 WHERE id = :id"), {"id": failed})
    system_session.commit()
    Worker(db).run_pending(kinds=(FLAKY,))
    queued = _queue(system_session, ORDERED, DEMO_CODE, n=1)
    listed = _cli(app, "list")
    assert listed.exit_code == 0, listed.output
    lines = {int(line.split()[0]): line for line in listed.output.splitlines()}
    assert {failed, queued} <= set(lines)
    assert f"{SECOND_CODE}  {FLAKY}" in lines[failed] and "failed" in lines[failed] and "1/1" in lines[failed]
    assert lines[failed].endswith(f"RuntimeError: 接続が切れました ({failed})")
    only_failed = _cli(app, "list", "--status", "failed", "--lg-code", SECOND_CODE, "--kind", FLAKY)
    assert [int(line.split()[0]) for line in only_failed.output.splitlines()] == [failed]
    assert _cli(app, "list", "--kind", "no.such.kind").output == "no jobs\n"
    for bad in (["--status", "stuck"], ["--lg-code", "046991"], ["--limit", "0"]):
        refused = _cli(app, "list", *bad)
        assert refused.exit_code == 2, (bad, refused.output)


def test_jobs_retry_queues_a_failed_job_again_and_refuses_any_other(app, db, system_session):
    job_id = _queue(system_session, FLAKY, DEMO_CODE)
    system_session.execute(text("UPDATE jobs SET max_attempts = 1 WHERE id = :id"), {"id": job_id})
    system_session.commit()
    Worker(db).run_pending(kinds=(FLAKY,))
    assert _job(system_session, job_id)["status"] == "failed"
    retried = _cli(app, "retry", str(job_id))
    assert retried.exit_code == 0 and f"job {job_id} queued again" in retried.output, retried.output
    again = _job(system_session, job_id)
    assert (again["status"], again["attempts"], again["error"], again["finished"], again["wait"]) == \
        ("queued", 0, "", False, 0)
    refused = _cli(app, "retry", str(job_id))
    assert refused.exit_code == 1 and "job_not_failed" in refused.output and "queued" in refused.output
    missing = _cli(app, "retry", "9223372036854775807")
    assert missing.exit_code == 1 and "job_not_found" in missing.output
    for bad in ("0", "-1", "9223372036854775808", "x"):
        assert _cli(app, "retry", bad).exit_code == 2, bad


def test_jobs_cancel_takes_back_a_queued_job_only(app, db, system_session):
    job_id = _queue(system_session, ORDERED, DEMO_CODE, n=1)
    assert "reason_required" in _cli(app, "cancel", str(job_id), "--reason", "  ").output
    cancelled = _cli(app, "cancel", str(job_id), "--reason", "誤って登録したため")
    assert cancelled.exit_code == 0 and f"job {job_id} cancelled" in cancelled.output, cancelled.output
    job = _job(system_session, job_id)
    assert job["status"] == "failed" and job["error"] == "管理者が取り消しました: 誤って登録したため"
    assert Worker(db).run_pending() == 0 and _ran == []
    running = _queue(system_session, ORDERED, DEMO_CODE, n=2)
    assert Worker(db).claim() == running
    refused = _cli(app, "cancel", str(running), "--reason", "停止")
    assert refused.exit_code == 1 and "job_not_queued" in refused.output and "running" in refused.output
