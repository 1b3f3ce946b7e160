"""The register follows each resident data link: an applied batch queues the re-extraction as a
job of its own, whose report names the batch and generation; a failing re-extraction leaves the
link applied; municipalities without a register get no follow-up job."""
import pytest
from sqlalchemy import text

from app.audit.services import Actor
from app.evac_support import services
from fixtures.link_batch import write_diff_batch, write_full_batch
from tests.factories import LINK_CODE, make_municipality, small_town
from tests.helpers.database import tenant_session
from tests.helpers.link import api_get, post_batch, run_jobs


@pytest.fixture()
def link(db):
    return make_municipality(db)


def _db():
    from app.extensions import db

    return db


def _send(web, token, path) -> dict:
    response = post_batch(web.client, token, path)
    assert response.status_code == 202, response.get_data(as_text=True)
    ran = run_jobs(_db())
    return api_get(web.client, token, response.headers["Location"]).get_json() | {"jobs_ran": ran}


def _save_criteria(config: dict) -> None:
    session = tenant_session(LINK_CODE)
    services.save_criteria(session, Actor.system(LINK_CODE, "test"), config)
    session.commit()
    session.close()


def _expected_ids(system_session) -> set[int]:
    """Residents aged 70 or more, or with 要介護3–5, read independently of the service."""
    return set(system_session.scalars(text("""
        SELECT r.id FROM residents r LEFT JOIN welfare_records w ON w.atena_no = r.atena_no AND w.lg_code = r.lg_code
        WHERE r.lg_code = :lg AND r.status = '住登内' AND (r.birth_date <= current_date - interval '70 years'
              OR w.care_level IN ('23','24','25'))"""), {"lg": LINK_CODE}))


def _register(system_session) -> set[int]:
    return set(system_session.scalars(text("SELECT resident_id FROM evac_people WHERE lg_code = :lg "
                                           "AND removed_at IS NULL"), {"lg": LINK_CODE}))


CRITERIA = {"age_min": 70, "alone_age_min": None, "care_levels": ["23", "24", "25"], "physical_grades": [],
            "mental_grades": [], "intellectual": [], "intractable": False}


def test_each_applied_batch_updates_the_register_with_a_report(web, link, tmp_path, system_session):
    town = small_town(residents=300)
    _save_criteria(CRITERIA)
    first = _send(web, link, write_full_batch(town, tmp_path / "b1.zip"))
    assert first["status"] == "applied" and first["jobs_ran"] == 2  # the batch, then the register
    expected = _expected_ids(system_session)
    assert expected and _register(system_session) == expected
    report = system_session.execute(text("""
        SELECT u.source, u.generation, u.batch_id, cardinality(u.added_ids), cardinality(u.removed_ids), u.created_by
        FROM evac_register_updates u WHERE u.lg_code = :lg ORDER BY u.id"""), {"lg": LINK_CODE}).all()
    assert report == [("連携", 1, first["id"], len(expected), 0, "link")]

    second = _send(web, link, write_diff_batch(town, tmp_path / "d2.zip", sequence=2, changes=60))
    assert second["status"] == "applied"
    after = _expected_ids(system_session)
    assert _register(system_session) == after
    added, removed = system_session.execute(text("""
        SELECT (SELECT array_agg(resident_id) FROM evac_people WHERE id = ANY(u.added_ids)),
               (SELECT array_agg(resident_id) FROM evac_people WHERE id = ANY(u.removed_ids))
        FROM evac_register_updates u WHERE u.lg_code = :lg AND u.generation = 2"""), {"lg": LINK_CODE}).one()
    assert set(added or []) == after - expected and set(removed or []) == expected - after
    job = system_session.execute(text("SELECT status, payload FROM jobs WHERE kind = 'evac_register_refresh' "
                                      "AND lg_code = :lg ORDER BY id DESC LIMIT 1"), {"lg": LINK_CODE}).one()
    assert job[0] == "done" and job[1] == {"batch_id": second["id"], "generation": 2}


def test_a_failing_register_update_never_undoes_the_link(web, link, tmp_path, system_session):
    town = small_town(residents=200)
    _save_criteria(CRITERIA)
    _send(web, link, write_full_batch(town, tmp_path / "b1.zip"))
    # Criteria that select nobody are refused by the extraction: the follow-up job fails.
    system_session.execute(text("""UPDATE evac_criteria SET config = jsonb_build_object('age_min', null,
        'alone_age_min', null, 'care_levels', '[]'::jsonb, 'physical_grades', '[]'::jsonb,
        'mental_grades', '[]'::jsonb, 'intellectual', '[]'::jsonb, 'intractable', false) WHERE lg_code = :lg"""),
        {"lg": LINK_CODE})
    system_session.commit()
    second = _send(web, link, write_diff_batch(town, tmp_path / "d2.zip", sequence=2, changes=30))
    assert second["status"] == "applied"
    assert system_session.scalar(text("SELECT max(number) FROM generations WHERE lg_code = :lg"),
                                 {"lg": LINK_CODE}) == 2
    failed = system_session.execute(text("SELECT status, error FROM jobs WHERE kind = 'evac_register_refresh' "
                                         "AND lg_code = :lg ORDER BY id DESC LIMIT 1"), {"lg": LINK_CODE}).one()
    assert failed[0] == "failed" and "抽出の基準が1つもありません" in failed[1]
    assert system_session.scalar(text("SELECT count(*) FROM evac_register_updates WHERE lg_code = :lg"),
                                 {"lg": LINK_CODE}) == 1


def test_no_follow_up_job_without_a_register(web, link, tmp_path, system_session):
    result = _send(web, link, write_full_batch(small_town(residents=100), tmp_path / "b1.zip"))
    assert result["status"] == "applied" and result["jobs_ran"] == 1
    assert system_session.scalar(text("SELECT count(*) FROM jobs WHERE kind = 'evac_register_refresh'")) == 0
