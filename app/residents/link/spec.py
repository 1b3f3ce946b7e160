"""The link format version 1.0 as data: columns, their rules and codes (docs/resident-link.md §3).

Each column names its header (the contract), its staging column and its rule. Validation SQL and
the apply SQL are generated from these tables, so the document, the checks and the loading agree.
"""
from __future__ import annotations

from dataclasses import dataclass

from app.clock import from_era
from app.residents.rules import DECEASED, MOVED_OUT, REGISTERED, STRUCK_OFF

FORMAT = "bcl-resident-link"
VERSION = "1.0"
KINDS = ("residents", "seals", "taxes", "welfare")
KIND_LABELS = {"residents": "住民", "seals": "印鑑登録", "taxes": "税", "welfare": "福祉"}
ENCODINGS = ("UTF-8", "CP932")
DIFF_PREFIX = ("異動区分", "異動事由", "異動日")
DIFF_OPERATIONS = {"1": "追加", "2": "更新", "3": "削除"}

RESIDENT_STATUS = {"1": REGISTERED, "2": MOVED_OUT, "3": DECEASED, "4": STRUCK_OFF}
STATUS_CODE = {label: code for code, label in RESIDENT_STATUS.items()}

# 異動事由 code -> (the 異動区分 it may come with, name). 終了 of one 認定 updates the welfare record,
# or removes it when nothing else keeps the person on the list.
DIFF_REASONS = {
    "residents": {"01": ("1", "転入"), "02": ("1", "出生"), "03": ("1", "国外からの転入"), "04": ("1", "職権記載"),
                  "11": ("2", "転居"), "12": ("2", "世帯変更"), "13": ("2", "氏名等の変更"), "14": ("2", "職権修正"),
                  "21": ("2", "転出"), "22": ("2", "死亡"), "23": ("2", "職権消除"), "99": ("3", "記録の取消")},
    "seals": {"31": ("1", "登録"), "32": ("2", "廃止"), "33": ("2", "登録事項の変更"), "99": ("3", "記録の取消")},
    "taxes": {"41": ("1", "当初課税"), "42": ("2", "更正"), "43": ("2", "納付"), "99": ("3", "記録の取消")},
    "welfare": {"51": ("1", "認定・交付"), "52": ("2", "変更"), "53": ("23", "終了"), "99": ("3", "記録の取消")},
}
# 転出, 死亡, 職権消除 must leave the person with the matching 住民状態.
REASON_STATUS = {"21": "2", "22": "3", "23": "4"}


@dataclass(frozen=True)
class Column:
    header: str
    name: str  # staging column (and, mostly, the 中間DB column)
    # digits:a-b | text:n | kana:n | date | code:v1,v2 | flag | amount | count | mynumber | card | phone | png
    rule: str
    required: bool = False


def _c(header, name, rule, required=False):
    return Column(header, name, rule, required)


RESIDENT_COLUMNS = (
    _c("宛名番号", "atena_no", "digits:1-15", True),
    _c("住民票コード", "resident_code", "digits:11-11", True),
    _c("世帯番号", "household_no", "digits:1-15", True),
    _c("住民種別", "resident_kind", "code:1,2", True),
    _c("氏名", "name", "text:100", True),
    _c("氏名カナ", "name_kana", "kana:200", True),
    _c("旧氏", "former_surname", "text:50"),
    _c("旧氏カナ", "former_surname_kana", "kana:100"),
    _c("通称", "alias_name", "text:100"),
    _c("通称カナ", "alias_kana", "kana:200"),
    _c("生年月日", "birth_date", "date", True),
    _c("性別", "sex", "code:1,2", True),
    _c("続柄", "relationship", "text:20", True),
    _c("世帯主", "is_household_head", "flag", True),
    _c("住所", "address", "text:200", True),
    _c("方書", "address_katagaki", "text:100"),
    _c("住所を定めた年月日", "address_since", "date"),
    _c("前住所", "previous_address", "text:200"),
    _c("住民となった日", "resident_since", "date"),
    _c("本籍", "honseki", "text:200"),
    _c("筆頭者", "hittousha", "text:100"),
    _c("国籍・地域", "nationality", "text:60"),
    _c("在留資格", "residence_status", "text:60"),
    _c("在留期間", "residence_period", "text:20"),
    _c("在留期間の満了の日", "residence_expiry", "date"),
    _c("在留カード等番号", "residence_card_no", "card"),
    _c("個人番号", "mynumber", "mynumber"),
    _c("住民状態", "status", "code:1,2,3,4", True),
    _c("消除日", "removed_on", "date"),
    _c("支援措置", "is_protected", "flag", True),
    _c("電話番号", "phone", "phone"),
)

SEAL_COLUMNS = (
    _c("登録番号", "registration_no", "alnum:1-20", True),
    _c("宛名番号", "atena_no", "digits:1-15", True),
    _c("登録日", "registered_on", "date", True),
    _c("廃止日", "abolished_on", "date"),
    _c("印影", "impression", "png"),
)

_AMOUNTS = (("給与収入", "salary_income"), ("給与所得", "salary_earnings"), ("営業等所得", "business_earnings"),
            ("農業所得", "farm_earnings"), ("不動産所得", "real_estate_earnings"), ("利子所得", "interest_earnings"),
            ("配当所得", "dividend_earnings"), ("公的年金等収入", "pension_income"), ("雑所得", "misc_earnings"),
            ("総所得金額", "total_earnings"), ("所得控除合計", "deductions"), ("課税標準額", "taxable_base"))
TAX_COLUMNS = (
    _c("宛名番号", "atena_no", "digits:1-15", True),
    _c("年度", "fiscal_year", "year", True),
    _c("課税区分", "tax_class", "code:1,2", True),
    *(_c(header, name, "amount", True) for header, name in _AMOUNTS),
    _c("配偶者控除", "has_spouse_deduction", "flag", True),
    _c("扶養人数", "dependants", "count", True),
    _c("均等割額", "per_capita_levy", "amount", True),
    _c("所得割額", "income_levy", "amount", True),
    _c("年税額", "annual_tax", "amount", True),
    _c("納付済額", "paid_amount", "amount", True),
    _c("納税状況", "payment_status", "code:1,2,3", True),
)

WELFARE_COLUMNS = (
    _c("宛名番号", "atena_no", "digits:1-15", True),
    _c("要介護度", "care_level", "code:11,12,21,22,23,24,25"),
    _c("身体障害者手帳等級", "physical_disability_grade", "code:1,2,3,4,5,6"),
    _c("身体障害の種別", "physical_disability_type", "code:1,2,3,4,5"),
    _c("精神障害者保健福祉手帳等級", "mental_disability_grade", "code:1,2,3"),
    _c("療育手帳", "intellectual_disability", "code:A,B"),
    _c("難病", "has_intractable_disease", "flag", True),
    _c("独居", "lives_alone", "flag", True),
    _c("高齢者のみ世帯", "elderly_only_household", "flag", True),
)

DIFF_COLUMNS = (
    _c("異動区分", "op", "code:1,2,3", True),
    _c("異動事由", "reason", "reason", True),
    _c("異動日", "event_on", "date", True),
)

COLUMNS = {"residents": RESIDENT_COLUMNS, "seals": SEAL_COLUMNS, "taxes": TAX_COLUMNS, "welfare": WELFARE_COLUMNS}
KEYS = {"residents": ("atena_no",), "seals": ("registration_no",), "taxes": ("atena_no", "fiscal_year"),
        "welfare": ("atena_no",)}
TABLES = {"residents": "residents", "seals": "seal_registrations", "taxes": "tax_records",
          "welfare": "welfare_records"}


def columns(kind: str, diff: bool = False) -> tuple[Column, ...]:
    return (DIFF_COLUMNS + COLUMNS[kind]) if diff else COLUMNS[kind]


def header(kind: str, diff: bool = False) -> tuple[str, ...]:
    return tuple(c.header for c in columns(kind, diff))


ERROR_CODES = {
    "header": "見出し行が仕様と異なります", "csv_format": "CSVの形式が正しくありません",
    "encoding": "文字コードが正しくありません", "required": "必須項目が空です", "format": "値の形式が正しくありません",
    "date": "日付が正しくありません", "duplicate": "キーが重複しています", "reference": "宛名番号が住民にありません",
    "household_head": "世帯主が正しくありません", "consistency": "項目の内容が矛盾しています",
    "diff_key": "異動区分とキーが合いません", "check_digit": "検査数字が正しくありません",
}


def parse_link_date(text: str):
    """A link date (YYYY-MM-DD or 和暦 GYY.MM.DD) as a date, or None. Same rule as SQL bcl_link_date."""
    import re
    from datetime import date

    if re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text):
        try:
            return date(int(text[:4]), int(text[5:7]), int(text[8:10]))
        except ValueError:
            return None
    if re.fullmatch(r"[MTSHR][0-9]{2}\.[0-9]{2}\.[0-9]{2}", text):
        return from_era(text[0], int(text[1:3]), int(text[4:6]), int(text[7:9]))
    return None


_MYNUMBER_WEIGHTS = (6, 5, 4, 3, 2, 7, 6, 5, 4, 3, 2)


def mynumber_valid(text: str) -> bool:
    """個人番号: 12 digits whose last is the check digit (the vectorised twin is checks._mynumber_valid)."""
    if len(text) != 12 or not text.isascii() or not text.isdigit():
        return False
    remainder = sum(int(d) * w for d, w in zip(text[:11], _MYNUMBER_WEIGHTS, strict=True)) % 11
    return int(text[11]) == (0 if remainder <= 1 else 11 - remainder)
