"""Pure rules about municipalities: the 全国地方公共団体コード and the size classes.

The code is 2 digits of prefecture, 3 of municipality and a check digit (JIS X 0402):
weights 6,5,4,3,2 on the first five digits, remainder modulo 11, check = last digit of (11 - r).
"""
from __future__ import annotations

import re

from app.errors import ValidationError

PREFECTURES = {
    "01": "北海道", "02": "青森県", "03": "岩手県", "04": "宮城県", "05": "秋田県", "06": "山形県",
    "07": "福島県", "08": "茨城県", "09": "栃木県", "10": "群馬県", "11": "埼玉県", "12": "千葉県",
    "13": "東京都", "14": "神奈川県", "15": "新潟県", "16": "富山県", "17": "石川県", "18": "福井県",
    "19": "山梨県", "20": "長野県", "21": "岐阜県", "22": "静岡県", "23": "愛知県", "24": "三重県",
    "25": "滋賀県", "26": "京都府", "27": "大阪府", "28": "兵庫県", "29": "奈良県", "30": "和歌山県",
    "31": "鳥取県", "32": "島根県", "33": "岡山県", "34": "広島県", "35": "山口県", "36": "徳島県",
    "37": "香川県", "38": "愛媛県", "39": "高知県", "40": "福岡県", "41": "佐賀県", "42": "長崎県",
    "43": "熊本県", "44": "大分県", "45": "宮崎県", "46": "鹿児島県", "47": "沖縄県",
}

# Municipality kinds, as the operating contribution table of the seed distinguishes them.
KINDS = ("政令市", "市", "特別区", "町", "村")

# The form a schema or an API document can state: six ASCII digits beginning with a prefecture
# code (01–47, the keys of PREFECTURES). The sixth digit, the check digit, only code can check.
LG_CODE_PATTERN = re.compile(r"(0[1-9]|[1-3][0-9]|4[0-7])[0-9]{4}")

_FULLWIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")
_WEIGHTS = (6, 5, 4, 3, 2)


def check_digit(first_five: str) -> str:
    """The check digit of a five-digit municipality code."""
    remainder = sum(int(d) * w for d, w in zip(first_five, _WEIGHTS, strict=True)) % 11
    return str((11 - remainder) % 10)


def normalize_lg_code(raw: str | None, *, strict: bool = False) -> str:
    """Validate a 6-digit 全国地方公共団体コード (prefecture, check digit) and return it.

    A code a person types may carry spaces around it and full-width digits, which are accepted.
    With ``strict`` the code is taken only as systems exchange it (files, API headers): exactly six
    ASCII digits, nothing around them. Raises ValidationError with a message that says exactly
    what is wrong.
    """
    value = (raw or "") if strict else (raw or "").strip().translate(_FULLWIDTH_DIGITS)
    if not value:
        raise ValidationError("地方公共団体コードを入力してください。", code="lg_code_missing")
    if not re.fullmatch(r"[0-9]{6}", value):
        digits = "半角数字6桁" if strict else "6桁の数字"
        raise ValidationError(f"地方公共団体コード「{value}」は{digits}ではありません（例: 131016）。",
                              code="lg_code_format")
    if value[:2] not in PREFECTURES:
        raise ValidationError(
            f"地方公共団体コード「{value}」の先頭2桁（都道府県コード）は01〜47である必要があります。",
            code="lg_code_prefecture",
        )
    expected = check_digit(value[:5])
    if value[5] != expected:
        raise ValidationError(
            f"地方公共団体コード「{value}」の検査数字が正しくありません（6桁目は {expected} になるはずです）。",
            code="lg_code_check_digit",
        )
    return value


def lg_code_problem(raw: str | None) -> str | None:
    """Why ``raw`` is not a 全国地方公共団体コード as systems exchange it (six ASCII digits, a
    prefecture, the check digit: ``normalize_lg_code(strict=True)``), or None when it is one."""
    try:
        normalize_lg_code(raw, strict=True)
    except ValidationError as exc:
        return exc.message
    return None


def prefecture_of(lg_code: str) -> str:
    return PREFECTURES[lg_code[:2]]


def size_class(kind: str, population: int) -> str:
    """The size class used for the operating contribution (運営負担金) and statistics."""
    if kind == "政令市":
        return "政令市（人口100万人以上）" if population >= 1_000_000 else "政令市（人口100万人未満）"
    if kind in ("市", "特別区"):
        if population >= 150_000:
            return "市・特別区（人口15万人以上）"
        if population >= 50_000:
            return "市・特別区（人口5万人以上15万人未満）"
        if population >= 30_000:
            return "市・特別区（人口3万人以上5万人未満）"
        return "市・特別区（人口3万人未満）"
    if kind in ("町", "村"):
        return "町村"
    raise ValidationError(f"団体区分「{kind}」は不明です（{'・'.join(KINDS)} のいずれか）。", code="kind_unknown")
