"""Pattern B on the command line, against a database of its own with real commits: load, refusals,
export byte for byte, and a worker killed in the middle of a load."""
import json
import os
import signal
import subprocess
import sys
import time
import zipfile
from dataclasses import replace

import psycopg
import pytest
from sqlalchemy.engine import make_url

from app.residents.link.receive import APPLY_JOB
from fixtures.link_batch import write_address_points, write_diff_batch, write_full_batch
from fixtures.town import generate_town
from tests.factories import LINK_CODE, LINK_TOWN, small_town
from tests.helpers.database import admin_dsn, create_empty_database, drop_database
from tests.helpers.link import rewrite_batch, zip_entries
from tests.helpers.paths import ROOT


@pytest.fixture(scope="module")
def cli_db(server_url):
    """A migrated database with the demo town and the link test municipality, committed for real."""
    name = f"bcl_linkcli_{os.getpid()}"
    url = create_empty_database(server_url, name)
    assert _flask(url, "db", "upgrade").returncode == 0
    assert _flask(url, "demo", "load", "--residents", "200").returncode == 0
    with psycopg.connect(admin_dsn(url, name), autocommit=True) as conn:
        conn.execute("INSERT INTO municipalities (lg_code, name, name_kana, kind, population, center_lat, center_lon, "
                     "version) VALUES (%s, '小樽港町', '', '町', 1000, 43.19, 141.0, 1)", (LINK_CODE,))
    yield url
    drop_database(server_url, name)


def _flask(url: str, *args: str, **kw) -> subprocess.CompletedProcess:
    env = dict(os.environ, DATABASE_URL=url)
    return subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=600, **kw)


def _sql(url: str, query: str, *params):
    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://")) as conn:
        cursor = conn.execute(query, params)
        return cursor.fetchall() if cursor.description else cursor.rowcount


def test_cli_load_refusals_and_byte_identical_export(cli_db, tmp_path):
    town = small_town(residents=150)
    batch = write_full_batch(town, tmp_path / "b1.zip", encodings={"residents": "CP932", "seals": "UTF-8",
                                                                  "taxes": "UTF-8", "welfare": "UTF-8"})
    # a checksum mismatch: refused with the precise reason, exit status 1, nothing stored
    entries = zip_entries(batch.read_bytes())
    bad = rewrite_batch(batch, tmp_path / "bad.zip", files={"taxes.csv": entries["taxes.csv"] + b"1,2\r\n"},
                        fix_checksums=False)
    refused = _flask(cli_db, "link", "load", str(bad), "--lg-code", LINK_CODE)
    assert refused.returncode == 1 and "checksum_mismatch" in refused.stderr and "taxes.csv" in refused.stderr
    assert _sql(cli_db, "SELECT count(*) FROM link_batches WHERE lg_code = %s", LINK_CODE) == [(0,)]

    loaded = _flask(cli_db, "link", "load", str(batch), "--lg-code", LINK_CODE)
    assert loaded.returncode == 0, loaded.stderr
    assert "applied: generation 1" in loaded.stdout and "[##############################]" in loaded.stdout
    again = _flask(cli_db, "link", "load", str(batch), "--lg-code", LINK_CODE)
    assert again.returncode == 0 and "no-op" in again.stdout

    gap = write_diff_batch(town, tmp_path / "d3.zip", sequence=3, changes=10)
    refused = _flask(cli_db, "link", "load", str(gap), "--lg-code", LINK_CODE)
    assert refused.returncode == 1 and "sequence_gap" in refused.stderr and "連番 2 が届いていません" in refused.stderr

    out = tmp_path / "restored.zip"
    exported = _flask(cli_db, "link", "export", "--lg-code", LINK_CODE, "--generation", "1", "-o", str(out))
    assert exported.returncode == 0, exported.stderr
    restored = zip_entries(out.read_bytes())
    for name, content in entries.items():
        if name != "gaiji.json":
            assert restored[name] == content, name


def test_cli_reports_a_rejected_batch_and_a_folder_batch(cli_db, tmp_path):
    town = small_town(residents=150)
    folder = tmp_path / "batch"
    folder.mkdir()
    diff = write_diff_batch(town, tmp_path / "d2.zip", sequence=2, changes=20)
    with zipfile.ZipFile(diff) as archive:
        archive.extractall(folder)
    manifest = json.loads((folder / "manifest.json").read_text())
    name = manifest["files"][0]["name"]
    data = (folder / name).read_bytes()
    lines = data.split(b"\r\n")
    lines[1] = lines[1].replace(b",", b";", 1)  # the first field swallows the second: wrong column count
    (folder / name).write_bytes(b"\r\n".join(lines))
    bad_zip = rewrite_batch(diff, tmp_path / "bad.zip", files={name: (folder / name).read_bytes()})
    result = _flask(cli_db, "link", "load", str(bad_zip), "--lg-code", LINK_CODE)
    assert result.returncode == 1 and "rejected" in result.stderr and f"{name}:2" in result.stderr
    good_folder = tmp_path / "good"
    good_folder.mkdir()
    with zipfile.ZipFile(diff) as archive:
        archive.extractall(good_folder)
    result = _flask(cli_db, "link", "load", str(good_folder), "--lg-code", LINK_CODE)
    assert result.returncode == 0 and "applied: generation 2" in result.stdout, result.stderr


def test_cli_address_points_place_residents(cli_db, tmp_path):
    points = write_address_points(small_town(residents=150), tmp_path / "points.csv")
    result = _flask(cli_db, "link", "address-points", str(points), "--lg-code", LINK_CODE)
    assert result.returncode == 0, result.stderr
    located = int(result.stdout.split("residents located ")[1].split(",")[0])
    assert located > 0
    missing = _sql(cli_db, "SELECT count(*) FROM residents WHERE lg_code = %s AND status = '住登内' "
                           "AND geom IS NULL", LINK_CODE)[0][0]
    status = _flask(cli_db, "link", "status", "--lg-code", LINK_CODE)
    assert f"residents without coordinates: {missing}" in status.stdout


def test_a_worker_killed_mid_load_leaves_the_previous_generation_and_the_batch_retries(server_url, tmp_path):
    name = f"bcl_linkkill_{os.getpid()}"
    url = create_empty_database(server_url, name)
    try:
        assert _flask(url, "db", "upgrade").returncode == 0
        assert _flask(url, "demo", "load", "--residents", "300").returncode == 0
        # Batch 2 is another town under the same code: the demo's 要支援者名簿 would keep it from
        # deleting the people it no longer lists (tested in test_link_register_removals.py).
        _sql(url, "DELETE FROM evac_people")
        residents_before = _sql(url, "SELECT count(*), max(updated_at) FROM residents")[0]
        from fixtures.town import DEMO_TOWN, generate_town

        big = generate_town(DEMO_TOWN, residents=60_000, seed=1)  # same town code; batch 2 replaces it all
        batch = write_full_batch(big, tmp_path / "b2.zip", sequence=2, compress=False)
        assert _flask(url, "link", "load", str(batch), "--lg-code", DEMO_TOWN.lg_code, "--no-wait").returncode == 0
        env = dict(os.environ, DATABASE_URL=url)
        worker = subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi", "jobs", "work"], cwd=ROOT, env=env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        # the batch's job: the worker also queues its periodic jobs
        apply_job = f"SELECT status, progress FROM jobs WHERE kind = '{APPLY_JOB}'"
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            progress = _sql(url, f"{apply_job} ORDER BY id DESC LIMIT 1")[0]
            if progress[0] == "running" and progress[1] >= 40:
                break
            time.sleep(0.05)
        worker.send_signal(signal.SIGKILL)
        worker.wait()
        assert _sql(url, f"{apply_job} ORDER BY id DESC LIMIT 1")[0][0] == "running"
        assert _sql(url, "SELECT count(*), max(updated_at) FROM residents")[0] == residents_before
        assert _sql(url, "SELECT max(number) FROM generations")[0][0] == 1
        assert _sql(url, "SELECT status FROM link_batches WHERE sequence_no = 2")[0][0] == "queued"
        # the heartbeat stops; once it is stale the job is queued again and the next worker finishes it
        _sql(url, "UPDATE jobs SET heartbeat_at = now() - interval '5 minutes' WHERE status = 'running'")
        rerun = _flask(url, "jobs", "work", "--once")
        assert rerun.returncode == 0, rerun.stderr
        assert _sql(url, "SELECT status FROM link_batches WHERE sequence_no = 2")[0][0] == "applied"
        assert _sql(url, "SELECT max(number) FROM generations")[0][0] == 2
        assert _sql(url, "SELECT count(*) FROM residents WHERE lg_code = %s", DEMO_TOWN.lg_code)[0][0] == 60_000
    finally:
        drop_database(server_url, name)


_THIS_DATABASE = "l.database = (SELECT oid FROM pg_database WHERE datname = current_database())"


def _wait_for(condition, what: str, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


def test_a_worker_killed_mid_apply_is_recovered_by_ending_its_batch(cli_db, tmp_path):
    """The worker dies while PostgreSQL still applies its batch; the batch is ended only once that
    transaction is gone, then its number is sent again and the batch waiting behind it follows."""
    code = "012041"
    _sql(cli_db, "INSERT INTO municipalities (lg_code, name, name_kana, kind, population, center_lat, center_lon, "
                 "version) VALUES (%s, '別の港町', '', '町', 1000, 43.2, 141.0, 1)", code)
    town = generate_town(replace(LINK_TOWN, lg_code=code), residents=150, seed=5)
    batch = write_full_batch(town, tmp_path / "b1.zip")
    queued = _flask(cli_db, "link", "load", str(batch), "--lg-code", code, "--no-wait")
    assert queued.returncode == 0 and "queued: sequence 1 is not applied yet" in queued.stdout, queued.stderr
    job_of_batch_1 = "SELECT j.status, j.progress FROM jobs j JOIN link_batches b ON b.job_id = j.id " \
                     "WHERE b.lg_code = %s AND b.sequence_no = 1 ORDER BY b.id LIMIT 1"
    end = ("link", "end-batch", "--lg-code", code, "--sequence", "1", "--reason", "処理サーバが停止したため")
    with psycopg.connect(admin_dsn(cli_db, make_url(cli_db).database)) as blocker:
        blocker.execute("LOCK TABLE residents IN EXCLUSIVE MODE")  # the worker's apply waits here
        worker = subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi", "jobs", "work"], cwd=ROOT,
                                  env=dict(os.environ, DATABASE_URL=cli_db), stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL)
        try:
            _wait_for(lambda: _sql(cli_db, job_of_batch_1, code) == [("running", 60)], "the apply to start")
            _wait_for(lambda: _sql(cli_db, "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
                                           f"WHERE {_THIS_DATABASE} AND c.relname = 'residents' AND NOT l.granted")
                      == [(1,)], "the apply to wait for the residents table")
            live = _flask(cli_db, *end)
            assert live.returncode == 1 and "batch_in_progress" in live.stderr, live.stdout
        finally:
            worker.send_signal(signal.SIGKILL)
            worker.wait()
        # The worker is gone and silent; its transaction is still in PostgreSQL, waiting for the lock.
        _sql(cli_db, "UPDATE jobs SET heartbeat_at = now() - interval '5 minutes' WHERE status = 'running'")
        applying = _flask(cli_db, *end)
        assert applying.returncode == 1 and "batch_still_applying" in applying.stderr, applying.stdout
        diff = write_diff_batch(town, tmp_path / "d2.zip", sequence=2, changes=10)
        waiting = _flask(cli_db, "link", "load", str(diff), "--lg-code", code)
        assert waiting.returncode == 3 and "連番 1 の処理が終わるのを待っています" in waiting.stdout, waiting.stderr
    # the lock is released: the killed worker's transaction runs into its closed connection and ends
    _wait_for(lambda: _sql(cli_db, f"SELECT count(*) FROM pg_locks l WHERE {_THIS_DATABASE} "
                                   "AND l.locktype = 'advisory'") == [(0,)], "the dead worker's transaction to end")
    ended = _flask(cli_db, *end)
    assert ended.returncode == 0 and "ended" in ended.stdout, ended.stderr
    assert _sql(cli_db, "SELECT b.status, j.status, e.code FROM link_batches b JOIN jobs j ON j.id = b.job_id "
                        "JOIN link_errors e ON e.batch_id = b.id WHERE b.lg_code = %s AND b.sequence_no = 1",
                code) == [("rejected", "failed", "processing_ended")]
    assert _sql(cli_db, "SELECT login_id, detail->>'reason' FROM audit_log WHERE action = 'link_batch_end' "
                        "AND lg_code = %s", code) == [("cli", "処理サーバが停止したため")]
    assert _sql(cli_db, "SELECT count(*) FROM residents WHERE lg_code = %s", code) == [(0,)]
    again = _flask(cli_db, "link", "load", str(batch), "--lg-code", code)
    assert again.returncode == 0 and "applied: generation 1" in again.stdout, again.stderr
    _wait_for(lambda: _sql(cli_db, "SELECT count(*) FROM jobs WHERE status = 'queued' AND run_after > now()")
              == [(0,)], "the postponed batch 2 to be due", seconds=30)
    assert _flask(cli_db, "jobs", "work", "--once").returncode == 0
    assert _sql(cli_db, "SELECT max(number) FROM generations WHERE lg_code = %s", code) == [(2,)]
