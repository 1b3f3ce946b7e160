"""らくらく窓口 follows the kiosk's eligibility and its refusals name らくらく窓口; the counter does not."""
from datetime import date

import pytest

from app.certificates import rules

DAY = date(2026, 11, 26)


def _person(**changes):
    facts = {"birth_date": date(1980, 4, 1), "status": "住登内", "removed_on": None, "is_protected": False,
             "household_moving_out": False, "unprintable": ()}
    return rules.PersonFacts(**{**facts, **changes})


@pytest.mark.parametrize(("changes", "code"), [
    ({"birth_date": date(2012, 1, 1)}, "under_age"), ({"is_protected": True}, "protected"),
    ({"household_moving_out": True}, "household_moving_out"), ({"unprintable": ("𠮷",)}, "unprintable")])
def test_self_service_refuses_like_a_kiosk_and_the_counter_does_not(changes, code):
    refusal = rules.person_refusal(_person(**changes), rules.SELF_SERVICE, DAY)
    assert refusal.code == code
    assert "コンビニ交付" not in refusal.message
    assert rules.person_refusal(_person(**changes), rules.KIOSK, DAY).code == code
    assert rules.person_refusal(_person(**changes), rules.COUNTER, DAY) is None


def test_self_service_protected_message_names_the_channel():
    message = rules.person_refusal(_person(is_protected=True), rules.SELF_SERVICE, DAY).message
    assert message.startswith("支援措置の対象の方はらくらく窓口を利用できません")
    assert rules.person_refusal(_person(), rules.SELF_SERVICE, DAY) is None
