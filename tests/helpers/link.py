"""The resident data link as a link server and staff use it: batches sent to the link API (and
rewritten on the way), the job worker run, batches uploaded on the 住民情報連携 screen, their files
read back. A municipality of its own for a test and its town are in tests/factories.py."""
from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile
from pathlib import Path

from app.jobs.services import Worker
from tests.factories import LINK_CODE


def run_jobs(database) -> int:
    return Worker(database).run_pending()


def post_batch(client, token: str, path: Path, **headers):
    return client.post("/api/link/v1/batches", data=path.read_bytes(), content_type="application/zip",
                       headers={"Authorization": f"Bearer {token}", **headers})


def api_get(client, token: str, url: str):
    return client.get(url, headers={"Authorization": f"Bearer {token}"})


def zip_entries(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def rewrite_batch(source: Path, target: Path, *, files: dict[str, bytes] | None = None, manifest=None,
                  fix_checksums: bool = True) -> Path:
    """Copy a batch ZIP, replacing file contents and/or manifest fields (checksums follow unless told not to)."""
    entries = zip_entries(source.read_bytes())
    data = json.loads(entries["manifest.json"])
    for name, content in (files or {}).items():
        entries[name] = content
        for item in data["files"]:
            if item["name"] == name and fix_checksums:
                item["sha256"] = hashlib.sha256(content).hexdigest()
                lines = content.count(b"\n") + (0 if content.endswith(b"\n") or not content else 1)
                item["records"] = lines - 1
    if manifest:
        manifest(data)
    entries["manifest.json"] = json.dumps(data, ensure_ascii=False).encode("utf-8")
    with zipfile.ZipFile(target, "w") as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return target


def send_batch(client, token: str, path: Path, expect: int = 202) -> dict:
    """POST the batch, run the worker, and return the batch as the API reports it then."""
    from app.extensions import db

    response = post_batch(client, token, path)
    assert response.status_code == expect, response.get_data(as_text=True)
    run_jobs(db)
    return api_get(client, token, response.headers["Location"]).get_json()


def residents_rows(batch: Path) -> list[list[str]]:
    """The rows of the batch's residents.csv (header first)."""
    data = zip_entries(batch.read_bytes())["residents.csv"].decode("utf-8-sig")
    return list(csv.reader(io.StringIO(data)))


def with_residents(batch: Path, rows: list[list[str]], target: Path) -> Path:
    """A copy of the batch whose residents.csv holds ``rows`` (header first)."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    return rewrite_batch(batch, target, files={"residents.csv": buffer.getvalue().encode("utf-8")})


def upload_batch(browser, path: Path, ajax: bool = True):
    """Upload a batch on the 住民情報連携 screen, as its page's uploader (or a plain form) does."""
    headers = {"X-Requested-With": "XMLHttpRequest"} if ajax else {}
    data = {"batch": (io.BytesIO(path.read_bytes()), path.name)}
    return browser.post("/residents/batches", data, form_page="/residents", content_type="multipart/form-data",
                        headers=headers)


def count_rows(session, model, **where) -> int:
    """Rows of ``model`` of the test's municipality (LINK_CODE), with the given column values."""
    from sqlalchemy import func, select

    stmt = select(func.count()).select_from(model).where(model.lg_code == LINK_CODE)
    for key, value in where.items():
        stmt = stmt.where(getattr(model, key) == value)
    return session.scalar(stmt)
