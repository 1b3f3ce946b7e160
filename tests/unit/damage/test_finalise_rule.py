from app.damage.rules import AWAITING_REVIEW, FINAL, SURVEYING, finalise_refusal


def test_only_a_judged_survey_is_confirmed_and_never_by_its_surveyor():
    assert finalise_refusal(AWAITING_REVIEW, "admin", "bosai") is None
    assert finalise_refusal(AWAITING_REVIEW, "admin", "admin")[0] == "own_survey"
    assert finalise_refusal(SURVEYING, "admin", "bosai")[0] == "not_judged"
    assert finalise_refusal(FINAL, "admin", "bosai")[0] == "not_judged"
