"""Integer query parameters: ASCII decimal integers within the stated range, else a 400 naming the parameter."""
import pytest

from app.query_params import BIGINT_MAX, InvalidParameter, integer_parameter


@pytest.mark.parametrize(("value", "expected"), [(None, 7), ("", 7), ("0", 0), ("15", 15), ("007", 7),
                                                 (str(BIGINT_MAX), BIGINT_MAX)])
def test_integers_in_range_are_read(value, expected):
    assert integer_parameter(value, "offset", default=7, minimum=0, maximum=BIGINT_MAX) == expected


@pytest.mark.parametrize("value", ["-1", str(BIGINT_MAX + 1), "1.0", "1e3", " 1", "1_000", "１", "٣", "+1", "0x10",
                                   "1" * 1001, "\x00"])
def test_anything_else_is_refused_with_the_parameter_named(value):
    with pytest.raises(InvalidParameter) as refused:
        integer_parameter(value, "offset", default=0, minimum=0, maximum=BIGINT_MAX)
    assert refused.value.status == 400 and refused.value.details == {"parameter": "offset"}
    assert "offset" in refused.value.message


def test_no_upper_bound_when_none_is_given():
    assert integer_parameter(str(10**300), "limit", default=1, minimum=1, maximum=None) == 10**300
