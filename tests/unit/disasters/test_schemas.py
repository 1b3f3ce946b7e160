"""The online applications API's body refusals keep their documented codes: each member and reason
the published schema can report maps to one code, and what has none stays body_invalid."""
import pytest

from app.bodies import BodyRefused
from app.disasters import schemas


@pytest.mark.parametrize(("field", "reason", "code"), [
    ("", "json", "not_json"), ("", "encoding", "not_json"), ("", "missing", "not_json"),
    ("", "type", "not_an_object"),
    ("/disaster_id", "missing", "disaster_unknown"), ("/disaster_id", "maximum", "disaster_unknown"),
    ("/kind", "type", "not_a_string"), ("/kind", "enum", "kind_unknown"),
    ("/flood_level", "type", "not_a_string"), ("/flood_level", "enum", "choice_unknown"),
    ("/cause", "missing", "missing"), ("/applicant_name", "type", "not_a_string"),
    ("/applicant_phone", "maxLength", "too_long"), ("/building_address", "pattern", "invalid_character"),
    ("/cause", "minLength", None),
])
def test_each_refusal_of_the_schema_has_its_documented_code(field, reason, code):
    assert schemas.refusal_code(field, reason) == code


def test_size_depth_and_uncoded_refusals_stay_as_the_reader_gave_them():
    too_large = BodyRefused.too_large(8192)
    assert schemas.documented(too_large) is too_large
    odd = BodyRefused.invalid("/cause", "minLength")
    assert schemas.documented(odd) is odd
    named = schemas.documented(BodyRefused.invalid("/applicant_name", "maxLength"))
    assert (named.status, named.code, named.details) == (422, "too_long", {"field": "/applicant_name",
                                                                           "reason": "maxLength"})
