"""Numbers read from a request by what they mean, at the edges of what they accept: a form's version
and record ids (400 StaleForm), an id in a link (404), a typed quantity (422 naming the field)."""
import pytest
from werkzeug.datastructures import MultiDict

from app.errors import NotFound, ValidationError
from app.inputs import StaleForm, form_id, form_ids, form_integer, form_version, link_id, typed_integer, typed_number
from app.query_params import INTEGER_MAX

# Values no integer key or version can be: empty, signs, decimals, digits int() or isdigit() take but
# PostgreSQL would not be sent ("²", "١", full-width), padding, and one past the column's range.
MALFORMED = ["", "-1", "+1", "1.5", "1e3", "0x1", " 1", "1 ", "1_000", "²", "١", "１", "\x00", str(INTEGER_MAX + 1),
             "9" * 5000]


@pytest.mark.parametrize(("raw", "expected"), [("0", 0), ("1", 1), ("007", 7), (str(INTEGER_MAX), INTEGER_MAX)])
def test_form_version_reads_0_to_integer_max(raw, expected):
    assert form_version({"version": raw}) == expected


@pytest.mark.parametrize("raw", [*MALFORMED, None])
def test_form_version_refuses_anything_else_as_a_stale_form(raw):
    form = {} if raw is None else {"role-4-version": raw}
    with pytest.raises(StaleForm) as refused:
        form_version(form, "role-4-version")
    assert refused.value.status == 400 and refused.value.code == "invalid_number"
    assert refused.value.details == {"field": "role-4-version"} and "画面を開き直して" in refused.value.message


@pytest.mark.parametrize(("raw", "expected"), [("1", 1), (str(INTEGER_MAX), INTEGER_MAX), ("", None), (None, None)])
def test_form_id_reads_a_key_or_nothing_chosen(raw, expected):
    assert form_id({} if raw is None else {"shelter_id": raw}, "shelter_id") == expected


@pytest.mark.parametrize("raw", [m for m in MALFORMED if m] + ["0"])
def test_form_id_refuses_what_no_key_is(raw):
    with pytest.raises(StaleForm):
        form_id({"shelter_id": raw}, "shelter_id")


@pytest.mark.parametrize("form", [{}, {"to_opening_id": ""}])
def test_a_required_form_id_refuses_nothing_chosen(form):
    with pytest.raises(StaleForm):
        form_id(form, "to_opening_id", required=True)


def test_form_ids_reads_every_ticked_key_or_refuses_the_whole_list():
    assert form_ids(MultiDict([("user_id", "3"), ("user_id", "12")]), "user_id") == [3, 12]
    assert form_ids(MultiDict(), "user_id") == []
    with pytest.raises(StaleForm):
        form_ids(MultiDict([("user_id", "3"), ("user_id", "²")]), "user_id")


@pytest.mark.parametrize(("raw", "expected"), [("5", 5), (str(INTEGER_MAX), INTEGER_MAX), ("", None), (None, None)])
def test_link_id_reads_a_key_or_nothing(raw, expected):
    assert link_id({} if raw is None else {"issued": raw}, "issued") == expected


@pytest.mark.parametrize("raw", [m for m in MALFORMED if m] + ["0"])
def test_link_id_past_any_key_names_a_record_that_is_not_there(raw):
    with pytest.raises(NotFound) as refused:
        link_id({"issued": raw}, "issued")
    assert refused.value.status == 404


@pytest.mark.parametrize(("raw", "expected"), [("0", 0), ("12", 12), (" 12 ", 12), ("１２", 12), ("99", 99),
                                               ("", 5), (None, 5), ("   ", 5)])
def test_typed_integer_reads_what_a_person_types(raw, expected):
    assert typed_integer(raw, "順序", default=5, maximum=99) == expected


@pytest.mark.parametrize(("raw", "says"), [("abc", "整数で"), ("1.5", "整数で"), ("²", "整数で"), ("1 2", "整数で"),
                                           ("9" * 13, "整数で"), ("-1", "0以上"), ("－１", "0以上"), ("100", "99以下")])
def test_typed_integer_names_the_field_and_the_bound(raw, says):
    with pytest.raises(ValidationError) as refused:
        typed_integer(raw, "順序", maximum=99, code="order_invalid")
    assert refused.value.message.startswith("順序は") and says in refused.value.message
    assert refused.value.status == 422 and refused.value.code == "order_invalid"


def test_typed_integer_stops_at_what_an_integer_column_holds():
    assert typed_integer(str(INTEGER_MAX), "トイレの数") == INTEGER_MAX
    with pytest.raises(ValidationError, match="2,147,483,647以下"):
        typed_integer(str(INTEGER_MAX + 1), "トイレの数")


@pytest.mark.parametrize("raw", MALFORMED)
def test_form_integer_gives_the_default_for_anything_but_a_column_number(raw):
    assert form_integer(raw, default=-7) == -7


@pytest.mark.parametrize(("raw", "expected"), [("320.5", 320.5), ("１２．５", 12.5), ("0", 0.0), ("-3", -3.0),
                                               ("9999999.9", 9999999.9), ("", None), (None, None)])
def test_typed_number_reads_a_plain_decimal(raw, expected):
    assert typed_number(raw, "床面積", maximum=9_999_999.9) == expected


@pytest.mark.parametrize(("raw", "says"), [
    *((text, "数値で") for text in ("nan", "inf", "-inf", "1e400", "sNaN", "1,5", ".5", "1.2345678")),
    ("10000000", "9,999,999.9以下"), ("-1", "0以上")])
def test_typed_number_refuses_what_is_no_finite_number_of_its_column(raw, says):
    with pytest.raises(ValidationError) as refused:
        typed_number(raw, "床面積", minimum=0, maximum=9_999_999.9)
    assert refused.value.message.startswith("床面積は") and says in refused.value.message
