"""The audit viewer's labels and values: every detail key the code records has a Japanese label, and
values read as text for people (no None, lists joined, codes named, ids linked)."""
import ast
from pathlib import Path

from app.audit import details
from app.audit.details import Link, detail_items, target_item

ROOT = Path(__file__).resolve().parents[3]
# Keys recorded through **mappings the scan cannot read (evac_support.services, maps.layer_services,
# ogc.services, residents.link.pipeline and recovery).
DYNAMIC_KEYS = {"added", "changed", "removed", "layer_code", "filename", "counts", "total", "replaced", "source_epsg",
                "encoding", "class_field", "transformation", "residents_inside", "bbox", "offset", "format",
                "failure", "ended_by", "end_reason", "reason", "state", "job_status", "name", "areas", "active",
                "kind"}


def _recorded_keys() -> set[str]:
    keys = set()
    for path in (ROOT / "app").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", None)) == "record":
                keys |= {kw.arg for kw in node.keywords if kw.arg}
    return keys


def _texts(items):
    return {item.label: "、".join(v.text for v in item.values) for item in items}


def test_every_recorded_key_has_a_japanese_label():
    keys = _recorded_keys() | DYNAMIC_KEYS
    assert len(keys) > 100  # the scan found the calls
    missing = sorted(k for k in keys if k not in details.LABELS)
    assert missing == []


def test_none_is_left_out_and_lists_read_as_text():
    shown = _texts(detail_items("evac_roster_export", {"mode": "災害時", "recipient": "桜ヶ丘消防団", "org": None,
                                                       "count": 12, "areas": [], "consents": ["同意", "不同意"]}))
    assert shown == {"区分": "災害時", "提供先": "桜ヶ丘消防団", "件数": "12件",
                     "地域（町丁目コード）": "指定なし（すべて）", "同意の状況": "同意、不同意"}
    assert not any("None" in text or "[]" in text for text in shown.values())


def test_codes_are_named():
    shown = _texts(detail_items("user_update", {"role": "02", "screens_before": ["map"],
                                                "screens_after": ["map", "audit"], "is_active": True}))
    assert shown == {"権限": "権限02", "利用できる画面（変更前）": "地図", "利用できる画面（変更後）": "地図、監査ログ",
                     "有効": "はい"}
    assert _texts(detail_items("login_failed", {"reason": "wrong_password"})) == {"理由": "パスワードの誤り"}
    assert _texts(detail_items("login_throttled", {"limits": ["address"], "retry_after": 540})) == {
        "制限の対象": "接続元のアドレス", "待ち時間": "540秒"}
    audit = _texts(detail_items("audit_export", {"filters": {"action": "login", "login_id": "bosai"},
                                                 "encoding": "cp932"}))
    assert audit == {"検索条件": "操作: ログイン、ユーザID: bosai", "文字コード": "Shift_JIS（CP932）"}
    refused = _texts(detail_items("certificate_refused", {"code": "under_age", "document_type": "住民票の写し"}))
    assert refused["理由"].startswith("15歳未満の方は") and refused["証明書の種類"] == "住民票の写し"
    assert _texts(detail_items("support_apply", {"programme": "support_base", "amount": 1000000})) == {
        "支援制度": "被災者生活再建支援金（基礎支援金）", "金額": "1,000,000円"}
    assert _texts(detail_items("hazard_assign", {"flood": 12})) == {
        "洪水浸水想定区域（想定最大規模）の区分を判定した住民": "12人"}


def test_ids_link_to_the_record_pages():
    [building] = detail_items("damage_survey_start", {"building": 7, "round": "第1次"})[:1]
    assert building.values[0].link == Link("damage.building", "building_id", "victims")
    assert building.values[0].record_id == 7
    target = target_item("disaster_update", "disaster", ["3"])
    assert target.label == "災害" and target.values[0].link.endpoint == "disasters.show"
    moved = target_item("evacuee_move", "shelter", ["4", "5"])
    assert [v.link.endpoint for v in moved.values] == ["shelters.opening", "shelters.opening"]
    screen = target_item("permission_denied", "screen", ["audit"])
    assert screen.values[0].text == "監査ログ" and screen.values[0].link is None
    resident = target_item("record_view", "resident", ["A1"])
    assert resident.values[0].link is None  # residents are named by their 宛名番号, never linked


def test_long_lists_of_ids_are_cut_with_a_count():
    many = target_item("record_view", "resident", [str(i) for i in range(1, 26)])
    assert len(many.values) == details.SHOWN_IDS and many.more == 5
    assert target_item("login", "", []) is None


def _recorded_target_types() -> set[str]:
    """Target types of record(...) calls and of the misses audited as record_not_found."""
    types = set()
    for path in (ROOT / "app").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", getattr(node.func, "attr", None))
            if name == "record" and len(node.args) >= 4 and isinstance(node.args[3], ast.Constant):
                types.add(node.args[3].value)
            if name == "get_or_not_found" and len(node.args) >= 5 and isinstance(node.args[4], ast.Constant):
                types.add(node.args[4].value)
            types |= {kw.value.value for kw in node.keywords
                      if kw.arg == "target_type" and isinstance(kw.value, ast.Constant)}
    return types - {""}


def test_every_target_type_has_a_japanese_name():
    types = _recorded_target_types()
    assert {"user", "disaster", "address_point", "spatial_analysis"} <= types  # the scan found them
    assert sorted(types - set(details.TARGET_TYPES)) == []
