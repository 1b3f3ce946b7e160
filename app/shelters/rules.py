"""Pure rules of the shelter desk: how typed kana and birth dates are read for the resident search."""
from __future__ import annotations

import re
import unicodedata
from datetime import date

from certificate_engine.wareki import ERAS

_ERA_BY_NAME = {name: start for start, name in ERAS}
_ERA_BY_LETTER = {"R": "令和", "H": "平成", "S": "昭和", "T": "大正", "M": "明治"}
_ERA_ENDS = {"平成": date(2019, 4, 30), "昭和": date(1989, 1, 7), "大正": date(1926, 12, 24), "明治": date(1912, 7, 29)}


def normalize_kana(text: str) -> str:
    """Katakana without spaces, as 氏名カナ is compared: half-width and hiragana are turned into
    full-width katakana, dashes into ー."""
    text = unicodedata.normalize("NFKC", text or "")
    text = "".join(chr(ord(c) + 0x60) if "ぁ" <= c <= "ゖ" else c for c in text)
    text = re.sub(r"[-‐－―—ｰ〜~]", "ー", text)
    return re.sub(r"\s+", "", text)


def parse_birth_date(text: str) -> date | None:
    """A birth date as desk staff type it: 1997-05-01, 1997/5/1, 19970501, H9.5.1, 平成9年5月1日,
    令和元年5月1日. None when it is not a real date (or not one of the era)."""
    text = unicodedata.normalize("NFKC", (text or "").strip()).replace("元", "1")
    match = (re.fullmatch(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?", text)
             or re.fullmatch(r"(\d{4})(\d{2})(\d{2})", text))
    if match:
        return _date(*map(int, match.groups()))
    match = re.fullmatch(r"(明治|大正|昭和|平成|令和|[MTSHR])\s*(\d{1,2})[-/.年](\d{1,2})[-/.月](\d{1,2})日?", text,
                         re.IGNORECASE)
    if not match:
        return None
    era = _ERA_BY_LETTER.get(match.group(1).upper(), match.group(1))
    day = _date(_ERA_BY_NAME[era].year + int(match.group(2)) - 1, int(match.group(3)), int(match.group(4)))
    if day is None or day < _ERA_BY_NAME[era] or day > _ERA_ENDS.get(era, date.max):
        return None
    return day


def _date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None
