"""A link batch cannot delete a resident whom a register still uses (要支援者名簿, 避難者, 被災者台帳):
the batch is rejected with the 宛名番号 and the register named, nothing of it is applied, and the
same person kept with a 住民状態 (除票) goes through."""
import csv
import io

import pytest
from sqlalchemy import text

from app.audit.services import Actor
from app.evac_support import services
from app.residents.link import spec
from fixtures.link_batch import write_diff_batch, write_full_batch
from tests.factories import LINK_CODE, make_municipality, small_town
from tests.helpers.database import tenant_session
from tests.helpers.link import api_get, post_batch, rewrite_batch, run_jobs, zip_entries


@pytest.fixture()
def link(db):
    return make_municipality(db)


def _send(web, token, path) -> dict:
    from app.extensions import db

    response = post_batch(web.client, token, path)
    assert response.status_code == 202, response.get_data(as_text=True)
    run_jobs(db)
    return api_get(web.client, token, response.headers["Location"]).get_json()


def _registered_member(system_session) -> str:
    """A 宛名番号 on the register who is not the head of a household."""
    return system_session.scalar(text("""
        SELECT r.atena_no FROM evac_people p JOIN residents r ON r.id = p.resident_id
        WHERE r.lg_code = :lg AND NOT r.is_household_head ORDER BY r.atena_no LIMIT 1"""), {"lg": LINK_CODE})


def _rewrite_rows(data: bytes, change) -> bytes:
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows([rows[0], *(r for r in map(change, rows[1:]) if r)])
    return out.getvalue().encode("utf-8")


def _full_batch_without(source, target, atena_no: str, *, keep_as_removed: bool = False):
    """Batch 2: batch 1's files without the person (or with them as 職権消除 when ``keep_as_removed``)."""
    entries = zip_entries(source.read_bytes())
    header = {kind: spec.header(kind, False) for kind in spec.KINDS}
    files = {}
    for kind in spec.KINDS:
        name = f"{kind}.csv"
        position = header[kind].index("宛名番号")

        def change(row, kind=kind, position=position):
            if row[position] != atena_no:
                return row
            if kind == "residents" and keep_as_removed:
                row = list(row)
                row[header["residents"].index("住民状態")] = spec.STATUS_CODE["職権消除"]
                row[header["residents"].index("消除日")] = "2026-11-20"
                return row
            return row if keep_as_removed else None
        files[name] = _rewrite_rows(entries[name], change)

    def renumber(manifest):
        manifest["sequence"] = 2
    return rewrite_batch(source, target, files=files, manifest=renumber)


def _extract_register():
    session = tenant_session(LINK_CODE)
    services.save_criteria(session, Actor.system(LINK_CODE, "test"), {"age_min": 60})
    services.refresh_register(session, Actor.system(LINK_CODE, "test"))
    session.commit()
    session.close()


def test_a_full_batch_leaving_out_a_registered_person_is_rejected(web, link, tmp_path, system_session):
    first = write_full_batch(small_town(residents=300), tmp_path / "b1.zip")
    assert _send(web, link, first)["status"] == "applied"
    _extract_register()
    atena_no = _registered_member(system_session)
    assert atena_no, "the test town needs a register member who is not a household head"
    before = system_session.scalar(text("SELECT count(*) FROM residents WHERE lg_code = :lg"), {"lg": LINK_CODE})

    result = _send(web, link, _full_batch_without(first, tmp_path / "b2.zip", atena_no))
    assert result["status"] == "rejected", result
    errors = api_get(web.client, link, result["errors_url"]).get_json()["errors"]
    assert [e["code"] for e in errors] == ["resident_in_use"]
    assert atena_no in errors[0]["message"] and "避難行動要支援者名簿" in errors[0]["message"]
    assert errors[0]["file"] == "residents.csv" and errors[0]["column"] == "宛名番号"
    assert system_session.scalar(text("SELECT count(*) FROM residents WHERE lg_code = :lg"),
                                 {"lg": LINK_CODE}) == before
    assert system_session.scalar(text("SELECT max(number) FROM generations WHERE lg_code = :lg"),
                                 {"lg": LINK_CODE}) == 1

    kept = _send(web, link, _full_batch_without(first, tmp_path / "b2b.zip", atena_no, keep_as_removed=True))
    assert kept["status"] == "applied", api_get(web.client, link, kept["errors_url"]).get_json()
    assert system_session.scalar(text("SELECT status FROM residents WHERE lg_code = :lg AND atena_no = :a"),
                                 {"lg": LINK_CODE, "a": atena_no}) == "職権消除"


def test_a_diff_deleting_a_registered_person_is_rejected_at_its_line(web, link, tmp_path, system_session):
    town = small_town(residents=300)
    assert _send(web, link, write_full_batch(town, tmp_path / "b1.zip"))["status"] == "applied"
    _extract_register()
    atena_no = _registered_member(system_session)
    diff = write_diff_batch(town, tmp_path / "d2.zip", sequence=2, changes=10)
    entries = zip_entries(diff.read_bytes())
    header = spec.header("residents", True)
    rows = list(csv.reader(io.StringIO(entries["residents.csv"].decode("utf-8-sig"))))
    template = next(r for r in rows[1:] if r[header.index("異動区分")] == "2")
    deletion = list(template)
    deletion[header.index("異動区分")] = "3"
    deletion[header.index("異動事由")] = next(code for code, (op, _) in spec.DIFF_REASONS["residents"].items()
                                          if op == "3")
    deletion[header.index("宛名番号")] = atena_no
    current = system_session.execute(text("SELECT household_no FROM residents WHERE lg_code = :lg AND atena_no = :a"),
                                     {"lg": LINK_CODE, "a": atena_no}).scalar()
    deletion[header.index("世帯番号")] = current
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows([*rows, deletion])
    result = _send(web, link, rewrite_batch(diff, tmp_path / "d2b.zip",
                                            files={"residents.csv": out.getvalue().encode("utf-8")}))
    assert result["status"] == "rejected", result
    errors = api_get(web.client, link, result["errors_url"]).get_json()["errors"]
    in_use = [e for e in errors if e["code"] == "resident_in_use"]
    assert in_use and in_use[0]["line"] == len(rows) + 1 and atena_no in in_use[0]["message"]
    assert system_session.scalar(text("SELECT max(number) FROM generations WHERE lg_code = :lg"),
                                 {"lg": LINK_CODE}) == 1
