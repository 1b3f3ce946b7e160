"""Pure rules of 避難支援等関係者, 個別避難計画 and 安否確認 (app/evac_support/rules.py)."""
import json

import pytest

from app.errors import ValidationError
from app.evac_support import rules

AREAS = {"001", "002", "003"}


def test_org_needs_a_name_a_known_kind_and_known_areas():
    ok = rules.validate_org(" 桜ヶ丘消防署 ", "消防", " 警防課 ", ["002", "001", "002"], AREAS)
    assert ok == {"name": "桜ヶ丘消防署", "kind": "消防", "contact": "警防課", "area_codes": ["001", "002"]}
    for args, code in (((" ", "消防", "", ["001"]), "org_name_missing"),
                       (("A", "自衛隊", "", ["001"]), "org_kind_unknown"),
                       (("A", "警察", "", []), "org_areas_missing"),
                       (("A", "警察", "", ["001", "999"]), "org_area_unknown")):
        with pytest.raises(ValidationError) as error:
            rules.validate_org(*args, AREAS)
        assert error.value.code == code


@pytest.mark.parametrize(("mode", "consent", "declared", "expected"), [
    (rules.NORMAL, "同意", False, True), (rules.NORMAL, "不同意", False, False),
    (rules.NORMAL, "未回答", True, False), (rules.DISASTER, "不同意", True, True),
    (rules.DISASTER, "未回答", True, True), (rules.DISASTER, "同意", False, False),
])
def test_article_49_11_normal_times_need_consent_a_disaster_does_not(mode, consent, declared, expected):
    assert rules.may_receive(mode, consent, declared) is expected


def test_a_plan_needs_consent():
    rules.require_consent_for_plan("同意")
    for consent in ("未回答", "不同意"):
        with pytest.raises(ValidationError, match=f"「{consent}」.*49条の14"):
            rules.require_consent_for_plan(consent)


def test_supporters_drop_empty_rows_and_check_name_and_phone():
    rows = [{"name": "近藤", "phone": "090-1111-2222", "relation": "近所"}, {}, {"name": " ", "phone": ""},
            {"name": "民生 花子", "address": "一丁目", "phone": "０１２０（３３）４４４４"}]
    kept = rules.clean_supporters(rows)
    assert [s["name"] for s in kept] == ["近藤", "民生 花子"] and kept[0]["address"] == ""
    with pytest.raises(ValidationError, match="避難支援者1の氏名"):
        rules.clean_supporters([{"phone": "090"}])
    with pytest.raises(ValidationError, match="電話番号"):
        rules.clean_supporters([{"name": "A", "phone": "090-abc"}])
    with pytest.raises(ValidationError, match="5人まで"):
        rules.clean_supporters([{"name": f"支援者{i}"} for i in range(6)])


def test_route_is_a_linestring_in_lon_lat():
    line = {"type": "LineString", "coordinates": [[140.88, 38.26], [140.89, 38.27, 12.0]]}
    assert rules.route_coordinates(json.dumps(line)) == [(140.88, 38.26), (140.89, 38.27)]
    assert rules.route_coordinates(json.dumps({"type": "Feature", "geometry": line})) == [(140.88, 38.26),
                                                                                           (140.89, 38.27)]
    assert rules.route_coordinates("") is None and rules.route_coordinates(None) is None
    for bad, code in (('{"type": "Point", "coordinates": [1, 2]}', "route_invalid"), ("not json", "route_invalid"),
                      ('{"type": "LineString", "coordinates": [[1, 2]]}', "route_too_short"),
                      ('{"type": "LineString", "coordinates": [[1, 2], [200, 2]]}', "route_out_of_range")):
        with pytest.raises(ValidationError) as error:
            rules.route_coordinates(bad)
        assert error.value.code == code


def test_safety_states_colours_and_confirmed_share():
    assert set(rules.SAFETY_COLORS) == set(rules.SAFETY_STATES) and rules.check_safety_state("要救助") == "要救助"
    with pytest.raises(ValidationError):
        rules.check_safety_state("元気")
    counts = dict.fromkeys(rules.SAFETY_STATES, 0) | {"未確認": 5, "無事": 2, "避難済": 1, "不在": 1, "その他": 1}
    assert rules.confirmed_percent(counts) == 30.0  # 不在 and その他 still need a visit
    assert rules.confirmed_percent(dict.fromkeys(rules.SAFETY_STATES, 0)) == 0.0
    assert rules.confirmed_percent({"死亡": 1, "未確認": 2}) == 33.3


def test_homes_are_located_in_the_first_covering_area_by_code():
    import shapely

    from app.evac_support.areas import AreaIndex

    def square(x0, y0):
        return shapely.to_wkb(shapely.box(x0, y0, x0 + 1, y0 + 1))

    index = AreaIndex([("002", "二丁目", square(1, 0)), ("001", "一丁目", square(0, 0))])
    assert index.locate([0.5, 1.0, 1.5, 5.0, None], [0.5, 0.5, 0.5, 5.0, None]) == [
        ("001", "一丁目"), ("001", "一丁目"), ("002", "二丁目"), (None, None), (None, None)]
    assert index.name_of(1.2, 0.9) == "二丁目" and AreaIndex([]).locate([0.5], [0.5]) == [(None, None)]
