"""Pure rules of the OGC API: parameters, paging, token format and lifetime, collection access."""
import pytest

from app.errors import ValidationError
from app.ogc import rules


def test_limit_defaults_clamps_and_refuses():
    assert rules.parse_limit(None) == rules.DEFAULT_LIMIT
    assert rules.parse_limit("25") == 25
    assert rules.parse_limit(str(rules.MAX_LIMIT + 1)) == rules.MAX_LIMIT
    for bad in ("0", "-3", "ten", "1.5"):
        with pytest.raises(rules.InvalidParameter):
            rules.parse_limit(bad)


def test_offset():
    assert rules.parse_offset("") == 0 and rules.parse_offset("40") == 40
    assert rules.parse_offset(str(2**63 - 1)) == 2**63 - 1
    for bad in ("-1", str(2**63), "1e3", "4O"):
        with pytest.raises(rules.InvalidParameter):
            rules.parse_offset(bad)


def test_limit_far_above_the_maximum_is_still_lowered():
    assert rules.parse_limit(str(2**64)) == rules.MAX_LIMIT


def test_bbox_four_or_six_numbers_in_crs84():
    assert rules.parse_bbox("139.1,35.2,139.3,35.4") == (139.1, 35.2, 139.3, 35.4)
    assert rules.parse_bbox("139.1,35.2,0,139.3,35.4,100") == (139.1, 35.2, 139.3, 35.4)
    assert rules.parse_bbox(None) is None
    for bad in ("1,2,3", "a,b,c,d", "139,36,140,35", "181,0,182,1", "140,0,139,1", "nan,0,1,1"):
        with pytest.raises(rules.InvalidParameter):
            rules.parse_bbox(bad)
    with pytest.raises(rules.InvalidParameter):
        rules.parse_bbox("139,35,140,36", "http://www.opengis.net/def/crs/EPSG/0/6677")


def test_next_and_previous_pages():
    assert rules.next_offset(0, 10, 25) == 10
    assert rules.next_offset(20, 5, 25) is None
    assert rules.next_offset(30, 0, 25) is None
    assert rules.previous_offset(0, 10) is None and rules.previous_offset(5, 10) == 0
    assert rules.previous_offset(30, 10) == 20


def test_unknown_parameters_and_formats():
    rules.check_parameters(["limit", "bbox"], rules.ITEMS_PARAMETERS)
    with pytest.raises(rules.InvalidParameter) as error:
        rules.check_parameters(["limit", "colour"], rules.ITEMS_PARAMETERS)
    assert error.value.details == {"parameters": ["colour"]}
    rules.check_format("json")
    rules.check_format("html")
    with pytest.raises(rules.InvalidParameter):
        rules.check_format("xml")


def test_html_only_when_asked_for():
    assert rules.output_format("html", prefers_html=False) == "html"
    assert rules.output_format("json", prefers_html=True) == "json"
    assert rules.output_format(None, prefers_html=True) == "html"
    assert rules.output_format("", prefers_html=False) == "json"
    with pytest.raises(rules.InvalidParameter):
        rules.output_format("xml", prefers_html=True)


def test_collection_access_needs_the_map_screen_and_the_collections_own():
    assert rules.may_read(None, frozenset({"map"}))
    assert not rules.may_read(None, frozenset({"shelters"}))
    assert not rules.may_read("evac_support", frozenset({"map"}))
    assert rules.may_read("evac_support", frozenset({"map", "evac_support"}))
    assert not rules.may_read("evac_support", frozenset({"evac_support"}))


def test_token_names_its_municipality_and_lifetime_is_bounded():
    assert rules.token_municipality("bclgis.046990.abc") == "046990"
    for bad in ("bcl.046990.abc", "bclgis.046991.abc", "bclgis.046990.", "bclgis.046990", "x"):
        assert rules.token_municipality(bad) is None
    assert rules.token_days(None) == rules.TOKEN_DAYS_DEFAULT and rules.token_days(365) == 365
    for bad in (0, 366):
        with pytest.raises(ValidationError):
            rules.token_days(bad)


def test_paging_query_keeps_the_other_parameters():
    query = rules.query_string({"bbox": "1,2,3,4", "limit": "10", "offset": "0"}, offset=20)
    assert query == "bbox=1%2C2%2C3%2C4&limit=10&offset=20"
    assert "offset" not in rules.query_string({"limit": "10", "offset": "30"}, offset=None)
