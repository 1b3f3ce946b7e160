"""Helpers for the resident data link tests: a municipality of its own per test, batches, the worker."""
from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile
from dataclasses import replace
from pathlib import Path

from app.audit.services import Actor
from app.db import SYSTEM, Scope, set_scope
from app.jobs.services import Worker
from app.residents.link import tokens
from app.tenants.models import Municipality
from app.tenants.services import create_default_roles
from fixtures.town import DEMO_TOWN, generate_town

LINK_CODE = "012033"  # a municipality that exists only inside each test's transaction
LINK_TOWN = replace(DEMO_TOWN, lg_code=LINK_CODE, name="小樽港町", name_kana="オタルミナトチョウ", prefecture="北海道",
                    chome_base="港")


def make_municipality(database, lg_code: str = LINK_CODE, name: str = "小樽港町") -> str:
    """Register a municipality and issue a link token for it; returns the token."""
    session = database.session_factory()
    set_scope(session, SYSTEM)
    session.add(Municipality(lg_code=lg_code, name=name, name_kana="", kind="町", population=1000,
                             center_lat=43.19, center_lon=141.0))
    session.flush()
    set_scope(session, Scope.tenant(lg_code))
    create_default_roles(session, lg_code)
    _, plain = tokens.create_token(session, Actor.system(lg_code, "test"), "テスト用連携サーバ")
    session.commit()
    session.close()
    return plain


def small_town(residents: int = 120, seed: int = 3):
    return generate_town(LINK_TOWN, residents=residents, seed=seed)


def town_with(character: str, residents: int = 1500):
    """A town of LINK_TOWN's kind in which somebody's name contains ``character`` (e.g. 𠮷)."""
    for seed in range(1, 200):
        town = generate_town(LINK_TOWN, residents=residents, seed=seed)
        if any(character in row[2] for row in town.iter_residents()):
            return town
    raise AssertionError(f"no town with {character}")


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
