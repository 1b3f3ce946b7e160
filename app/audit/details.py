"""The audit log for people: each entry's target and detail as Japanese labels and values.

An entry's ``detail`` is the JSON its service recorded (``record(..., key=value)``): codes, ids,
counts, lists. The viewer shows it as label / value pairs — a known key gets its Japanese label, a
code its Japanese name, ``None`` is left out, a list is joined — and ids become links to the page
of the record where one exists (``Link``; the viewer offers it only to a user with that screen).
Nothing is looked up: the values are those the entry holds, so the viewer shows no personal data
the raw detail did not already hold. No Flask here: the viewer builds the URLs.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from app.audit.services import ACTIONS, TARGET_TYPES
from app.auth.rules import SCREENS_BY_CODE
from app.cardauth.rules import MESSAGES as CARD_MESSAGES
from app.cardauth.rules import PURPOSES
from app.certificates.rules import MESSAGES as CERTIFICATE_MESSAGES
from app.disasters.rules import PROGRAMME_NAMES
from app.maps.analysis import KINDS as ANALYSIS_KINDS
from app.maps.tiles import TILE_LAYERS
from layers.catalogue import CATALOGUE_BY_CODE

# Ids shown before "ほかN件": an entry may name hundreds of residents (a page of a register).
SHOWN_IDS = 20


@dataclass(frozen=True)
class Link:
    """A page of one record: the endpoint, its id parameter and the screen that opens it."""

    endpoint: str
    parameter: str
    screen: str


@dataclass(frozen=True)
class Value:
    """One shown value: text, and the record page it names, if any."""

    text: str
    link: Link | None = None
    record_id: int | None = None


@dataclass(frozen=True)
class Item:
    """One label and its values (a list of ids gives several, each with its own link)."""

    label: str
    values: tuple[Value, ...]
    more: int = 0  # values not shown (beyond SHOWN_IDS)


# -- labels ----------------------------------------------------------------------------------

LABELS = {
    "active": "有効", "added": "追加", "address": "住所（検索語）", "amount": "金額", "analysis": "空間分析の結果",
    "area": "区域", "areas": "地域（町丁目コード）", "atena_no": "宛名番号", "basis": "提供の根拠",
    "batch": "連携バッチ",
    "bbox": "範囲（経度・緯度）", "birth": "生年月日（検索語）", "building": "建物", "buildings": "位置を設定した建物",
    "change": "変更内容", "changed": "変更", "container": "パッケージの形式",
    "gsi_online": "地理院タイル（インターネット）", "shared": "全団体共通", "tiles": "タイル数",
    "zooms": "ズームレベル", "channel": "経路", "class_field": "区分の項目",
    "closed_days": "閉庁日の数", "closed_weekdays": "閉庁の曜日", "closes": "終了時刻", "code": "理由",
    "collection": "レイヤ", "consent": "同意", "consents": "同意の状況", "count": "件数", "counts": "件数の内訳",
    "days": "有効期間", "decisions": "記載・省略の判断", "disaster": "災害", "document_type": "証明書の種類",
    "encoding": "文字コード", "end_reason": "終了の理由", "ended_by": "終了した管理者", "ended_on": "契約の終了日",
    "errors": "エラーの件数", "evacuee": "避難者", "evacuees": "避難者", "failure": "処理のエラー",
    "failures": "連続した失敗の回数", "fee_yen": "手数料", "fields": "変更した項目", "filename": "ファイル名",
    "filters": "検索条件", "format": "形式", "generation": "世代", "grade": "判定", "has_plan": "個別避難計画",
    "household": "世帯番号", "households": "世帯数", "is_active": "有効", "is_offered": "取扱い",
    "is_weekday_only": "平日のみ", "job_status": "処理の状態", "kana": "カナ（検索語）", "kind": "種類",
    "lat": "緯度", "layer": "レイヤ", "layer_code": "レイヤ", "limits": "制限の対象", "located": "位置を設定した住民",
    "login_id": "ユーザID", "lon": "経度", "mayor": "市区町村長名", "missing": "一覧になかった避難所",
    "mode": "区分", "month": "月", "name": "名称", "number": "証明番号", "occupants": "居住者の人数",
    "offset": "開始位置", "opens": "開始時刻", "operator": "事業者", "org": "避難支援等関係者",
    "outcome": "結果", "page": "ページ", "people": "人数", "person": "要支援者", "persons": "人数",
    "photo": "写真", "plan": "個別避難計画", "points": "位置参照情報の件数", "programme": "支援制度",
    "provision": "提供の記録", "purged": "削除した古い世代", "purpose": "用途", "query": "検索語",
    "reason": "理由", "recipient": "提供先", "recipient_id": "提供先", "register": "台帳",
    "removed": "削除", "repaired": "修復した図形", "replaced": "置き換えた区域", "request_id": "請求番号",
    "residents_inside": "区域内の住民", "result": "結果", "retry_after": "待ち時間", "role": "権限",
    "round": "調査の区分", "route": "避難経路", "screen": "画面", "screens_after": "利用できる画面（変更後）",
    "screens_before": "利用できる画面（変更前）", "seal_changed": "公印", "sequence": "連番", "serial": "証明番号",
    "shelter": "避難先", "shelters": "避難所の数", "skipped": "読み飛ばした行", "source": "取込元",
    "source_epsg": "元の座標系", "started_on": "契約の開始日", "state": "状態", "status": "状態", "stay": "滞在",
    "supporters": "避難支援者の人数", "table": "集計表", "ticket_no": "受付番号", "tile": "タイル", "total": "区域の数",
    "transformation": "座標変換", "update": "名簿の更新結果", "updated": "更新", "upload_id": "取込",
    "users": "担当職員", "via": "方法", "view": "表示", "walk_in": "受付の区分",
}
# Keys whose meaning depends on the action.
ACTION_LABELS = {
    ("role_update", "code"): "権限", ("disaster_create", "name"): "災害名", ("municipality_create", "name"): "団体名",
    ("kiosk_refund", "state"): "請求の状態", ("hazard_analysis_export", "kind"): "出力した対象",
    ("evac_register_refresh", "generation"): "住民情報の世代", ("link_batch_apply", "generation"): "世代",
    ("link_batch_end", "state"): "処理の状況", ("basemap_import", "replaced"): "同じ名前の地図を置き換え",
    ("basemap_import", "format"): "タイルの形式",
}
FILTER_LABELS = {"date_from": "期間（から）", "date_to": "期間（まで）", "login_id": "ユーザID", "action": "操作",
                 "target_type": "対象種別", "target_id": "対象ID"}

# -- codes and their names -------------------------------------------------------------------

FORMATS = {"csv": "CSV", "xlsx": "Excel（XLSX）", "gpkg": "GeoPackage", "geojson": "GeoJSON", "pdf": "PDF",
           "png": "PNG", "jpg": "JPEG", "webp": "WebP", "pbf": "ベクトルタイル", "mvt": "ベクトルタイル"}
ENCODINGS = {"utf-8-sig": "UTF-8（BOM付き）", "utf-8": "UTF-8", "cp932": "Shift_JIS（CP932）"}
CHANNELS = {"ui": "画面", "api": "連携API", "cli": "コマンド", "ogc": "GIS連携（OGC API）", "download": "ダウンロード"}
LOGIN_REASONS = {"wrong_password": "パスワードの誤り", "unknown_user": "登録のないユーザID",
                 "unknown_municipality": "登録のない団体コード", "inactive": "無効にされたユーザ",
                 "locked": "ロック中のユーザ"}
THROTTLE_LIMITS = {"address": "接続元のアドレス", "account": "アカウント"}
VIEWS = {"plans": "個別避難計画の一覧", "map": "安否の地図", "map_protected": "安否の地図（支援措置の対象者）"}
RECORD_SCREENS = {"certificates": "証明書交付", "unlocated": "位置が未設定の住民", "lookup": "住民の検索",
                  "person": "住民の詳細"}
LINK_MODES = {"full": "全件", "diff": "差分"}
RESULTS = {"applied": "反映", "rejected": "反映せず（不受理）"}
VIAS = {"card": "マイナンバーカード"}
YES_NO = ("はい", "いいえ")
WITH_WITHOUT = ("あり", "なし")
REFUSAL_CODES = {"card_auth_refused": CARD_MESSAGES, "certificate_refused": CERTIFICATE_MESSAGES}
LAYER_NAMES = {key: layer.name for key, layer in TILE_LAYERS.items()} | {
    "shelters": "避難所・避難場所", "admin_areas": "町丁目界", "disasters": "被災地域"}


def _layer_name(code: str) -> str:
    code = code.removeprefix("hazard:")
    layer = CATALOGUE_BY_CODE.get(code)
    return layer.name if layer else LAYER_NAMES.get(code, code)


# -- links -------------------------------------------------------------------------------------

TARGET_LINKS = {
    "user": Link("auth.user_edit", "user_id", "admin"),
    "disaster": Link("disasters.show", "disaster_id", "disaster_register"),
    "building": Link("damage.building", "building_id", "victims"),
    "damage_survey": Link("damage.survey", "survey_id", "victims"),
    "victim": Link("disasters.victim", "victim_id", "victims"),
    "certificate_application": Link("disasters.application", "application_id", "victims"),
    "shelter": Link("shelters.facilities", "shelter_id", "shelters"),
    "evac_person": Link("evac_support.person", "person_id", "evac_support"),
    "supporter_org": Link("evac_support.organisation", "org_id", "evac_support"),
    "roster_provision": Link("evac_support.provision", "provision_id", "evac_support"),
    "register_update": Link("evac_support.register_update", "update_id", "evac_support"),
    "link_batch": Link("residents.batch", "batch_id", "residents"),
    "victim_recipient": Link("disasters.recipient", "recipient_id", "victims"),
    "spatial_analysis": Link("maps.analysis_result", "analysis_id", "hazard"),
}
OPENING = Link("shelters.opening", "opening_id", "shelters")
HOUSEHOLD = Link("disasters.support_household", "household_id", "victims")
# Actions whose target ids are not of the kind their target type names.
ACTION_TARGET_LINKS = {
    **dict.fromkeys(("evacuee_check_out", "evacuee_move", "evacuee_update", "evacuee_needs_update",
                     "evacuee_history_view", "evacuee_reentry"), OPENING),
    **dict.fromkeys(("support_apply", "support_decide", "support_pay"), HOUSEHOLD),
}
DETAIL_LINKS = {
    "building": TARGET_LINKS["building"], "disaster": TARGET_LINKS["disaster"],
    "analysis": TARGET_LINKS["spatial_analysis"],
    "person": TARGET_LINKS["evac_person"], "org": TARGET_LINKS["supporter_org"],
    "update": TARGET_LINKS["register_update"], "batch": TARGET_LINKS["link_batch"],
    "recipient_id": TARGET_LINKS["victim_recipient"],
    "photo": Link("damage.photo", "photo_id", "victims"), "upload_id": Link("maps.layer_import", "upload_id", "hazard"),
}
# evac_plan_save's shelter is a shelter; elsewhere "shelters" counts them.
ACTION_DETAIL_LINKS = {("evac_plan_save", "shelter"): TARGET_LINKS["shelter"]}


def _record_id(value) -> int | None:
    """An id a link can carry (1 … 2⁶³−1), or None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str) and value.isascii() and value.isdigit():
        value = int(value)
    return value if isinstance(value, int) and 0 < value < 2**63 else None


def _id_values(ids: Iterable, link: Link | None, name: Callable = str) -> tuple[tuple[Value, ...], int]:
    ids = list(ids)
    shown = tuple(Value(name(i), link if _record_id(i) else None, _record_id(i)) for i in ids[:SHOWN_IDS])
    return shown, max(0, len(ids) - SHOWN_IDS)


# -- values ------------------------------------------------------------------------------------

def _plain(value) -> str:
    """Any value as text: lists joined, dicts as 「名前: 値」, booleans as はい／いいえ."""
    if isinstance(value, bool):
        return YES_NO[0] if value else YES_NO[1]
    if isinstance(value, list | tuple):
        return "、".join(_plain(v) for v in value if v is not None) or "なし"
    if isinstance(value, dict):
        pairs = [f"{ANALYSIS_KINDS.get(k, k)}: {_plain(v)}" for k, v in value.items() if v is not None]
        return "、".join(pairs) or "なし"
    return str(value)


def _named(names: dict) -> Callable:
    return lambda value, _action: "、".join(names.get(v, v) for v in value) if isinstance(value, list) \
        else names.get(value, _plain(value))


def _counted(unit: str) -> Callable:
    return lambda value, _action: f"{value:,}{unit}" if isinstance(value, int) and not isinstance(value, bool) \
        else _plain(value)


def _either(yes: str, no: str) -> Callable:
    return lambda value, _action: (yes if value else no) if isinstance(value, bool) else _plain(value)


def _screens(value, _action) -> str:
    return "、".join(SCREENS_BY_CODE[c].name if c in SCREENS_BY_CODE else c for c in value or []) or "なし"


def _filters(value, _action) -> str:
    if not isinstance(value, dict) or not value:
        return "なし（すべて）"
    return "、".join(f"{FILTER_LABELS.get(k, k)}: {ACTIONS.get(v, v) if k == 'action' else v}"
                    for k, v in value.items())


def _refusal(value, action) -> str:
    return REFUSAL_CODES.get(action, {}).get(value, _plain(value))


def _layers(value, _action) -> str:
    return _layer_name(value) if isinstance(value, str) else _plain(value)


def _role(value, _action) -> str:
    return f"権限{value}" if value else "なし"


def _areas(value, _action) -> str:
    return "、".join(value) if value else "指定なし（すべて）"


def _seconds(value, _action) -> str:
    return f"{value:,.0f}秒" if isinstance(value, int | float) and not isinstance(value, bool) else _plain(value)


FORMATTERS: dict[str, Callable] = {
    "format": _named(FORMATS), "encoding": _named(ENCODINGS), "channel": _named(CHANNELS),
    "limits": _named(THROTTLE_LIMITS), "view": _named(VIEWS), "screen": _named(RECORD_SCREENS),
    "purpose": _named(PURPOSES), "mode": _named(LINK_MODES), "result": _named(RESULTS), "via": _named(VIAS),
    "programme": _named(PROGRAMME_NAMES), "screens_before": _screens, "screens_after": _screens,
    "filters": _filters, "code": _refusal, "layer": _layers, "layer_code": _layers, "collection": _layers,
    "role": _role, "areas": _areas, "retry_after": _seconds, "kind": _named(ANALYSIS_KINDS),
    "source_epsg": lambda value, _action: f"EPSG:{value}",
    **dict.fromkeys(("count", "errors", "added", "updated", "changed", "removed", "skipped", "missing", "repaired",
                     "purged", "points", "buildings", "total", "replaced", "tiles"), _counted("件")),
    "gsi_online": _either("使う", "使わない"), "container": _named({"mbtiles": "MBTiles", "pmtiles": "PMTiles"}),
    "amount": _counted("円"), "fee_yen": _counted("円"), "days": _counted("日"), "closed_days": _counted("日"),
    "people": _counted("人"), "persons": _counted("人"), "occupants": _counted("人"), "supporters": _counted("人"),
    "residents_inside": _counted("人"), "located": _counted("人"), "households": _counted("世帯"),
    "failures": _counted("回"), "seal_changed": _either("変更あり", "変更なし"), "route": _either("あり", "なし"),
    "has_plan": _either(*WITH_WITHOUT), "walk_in": _either("住民記録にない方", "住民記録のある方"),
}


def _reason(value, action) -> str:
    return LOGIN_REASONS.get(value, _plain(value)) if action in ("login_failed", "login_locked") else _plain(value)


FORMATTERS["reason"] = _reason


def _label(action: str, key: str) -> str:
    if action == "hazard_assign":  # one count per hazard layer, keyed by the layer's code
        return f"{_layer_name(key)}の区分を判定した住民"
    return ACTION_LABELS.get((action, key)) or LABELS.get(key, key)


def _detail_item(action: str, key: str, value) -> Item:
    link = ACTION_DETAIL_LINKS.get((action, key)) or DETAIL_LINKS.get(key)
    if link and _record_id(value):
        return Item(_label(action, key), (Value(str(value), link, _record_id(value)),))
    if key in ("evacuees", "users") and isinstance(value, list):
        values, more = _id_values(value, None)
        return Item(_label(action, key), values, more)
    formatter = _counted("人") if action == "hazard_assign" else FORMATTERS.get(key, lambda v, _a: _plain(v))
    return Item(_label(action, key), (Value(formatter(value, action)),))


def detail_items(action: str, detail: dict | None) -> list[Item]:
    """The entry's detail as labelled items, in the order recorded; ``None`` values are left out."""
    return [_detail_item(action, key, value) for key, value in (detail or {}).items() if value is not None]


def target_item(action: str, target_type: str, target_ids: list[str] | None) -> Item | None:
    """What the entry is about: the target type's name and its ids, linked where a page shows them."""
    if not target_type and not target_ids:
        return None
    link = ACTION_TARGET_LINKS.get(action) or TARGET_LINKS.get(target_type)
    values, more = _id_values(target_ids or [], link, TARGET_NAMES.get(target_type, str))
    return Item(TARGET_TYPES.get(target_type, target_type), values, more)


def _screen_name(code: str) -> str:
    return SCREENS_BY_CODE[code].name if code in SCREENS_BY_CODE else code


# Targets named by a code rather than an id: the name, as the menus show it.
TARGET_NAMES = {"screen": _screen_name, "hazard_layer": _layer_name, "map_layer": _layer_name}
