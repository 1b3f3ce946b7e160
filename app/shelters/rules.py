"""Pure rules of the shelters: the states of an opened shelter and of its evacuees, how the desk
reads typed kana, birth dates and evacuee card numbers, and the toilet and space guidance against
the number of evacuees."""
from __future__ import annotations

import re
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import date

from app.clock import from_era

# A shelter opened for a disaster is 開設, 満員 (full, still open) or 閉鎖 (closed, kept as history);
# one not opened for the chosen disaster shows as 未開設 on the map.
OPEN, FULL, CLOSED, NOT_OPENED = "開設", "満員", "閉鎖", "未開設"
OPENING_STATUSES = (OPEN, FULL, CLOSED)
# 避難の区分: at the shelter, at home (在宅避難) or in a car (車中泊); the shelter supports all three.
IN_SHELTER, AT_HOME, IN_CAR = "避難所", "在宅", "車中泊"
EVACUEE_KINDS = (IN_SHELTER, AT_HOME, IN_CAR)
# When the person is at the shelter: people often go home by day to clear up and come back at night.
WHOLE_DAY, DAY_ONLY, NIGHT_ONLY = "終日", "昼のみ", "夜のみ"
STAYS = (WHOLE_DAY, DAY_ONLY, NIGHT_ONLY)


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
    return from_era(match.group(1), *map(int, match.groups()[1:]))


def _date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


# Evacuee card numbers: read aloud or typed from the card when there is no QR reader, so without
# the letters and digits people confuse (0/O, 1/I/L, 5/S, 8/B, 2/Z).
CARD_ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"
CARD_CODE_LENGTH = 8
CARD_QR_PREFIX = "BCL-EVAC:"


def new_card_code() -> str:
    """A fresh evacuee card number (8 characters, about 10^11 possibilities)."""
    return "".join(secrets.choice(CARD_ALPHABET) for _ in range(CARD_CODE_LENGTH))


def read_card_code(scanned: str) -> str | None:
    """The card number in what a QR reader or a person typed ("BCL-EVAC:XXXX-XXXX", lower case,
    with a hyphen or spaces), or None when it cannot be one."""
    text = unicodedata.normalize("NFKC", scanned or "").strip().upper()
    if text.startswith(CARD_QR_PREFIX):
        text = text[len(CARD_QR_PREFIX):]
    text = re.sub(r"[\s\-]", "", text)
    if len(text) != CARD_CODE_LENGTH or any(c not in CARD_ALPHABET for c in text):
        return None
    return text


def format_card_code(code: str) -> str:
    """XXXX-XXXX, as printed on the card."""
    return f"{code[:4]}-{code[4:]}"


def check_in_message(names: list[str], shelter_name: str) -> str:
    """What the desk says after a household's check-in: who, how many, and where."""
    people = "さん、".join(names) + "さん"
    return f"{people}（{len(names)}人）を「{shelter_name}」で受け付けました。"


# 内閣府「避難所におけるトイレの確保・管理ガイドライン」: about one toilet per 50 evacuees at first,
# one per 20 once the stay is prolonged. When a stay counts as prolonged is the municipality's call;
# the default is a week.
TOILET_PEOPLE_FIRST = 50
TOILET_PEOPLE_PROLONGED = 20
PROLONGED_AFTER_DAYS = 7
# Sphere standard (人道憲章と人道支援における最低基準): at least 3.5 m² of covered living space per person.
SPACE_M2_PER_PERSON = 3.5


@dataclass(frozen=True)
class Guidance:
    """What the guidelines ask for a number of evacuees, against what the shelter has."""

    toilets_needed: int
    toilets_available: int
    prolonged: bool
    space_per_person_m2: float | None  # None when the floor area is not recorded or nobody is there
    space_needed_m2: float

    @property
    def toilets_short(self) -> int:
        return max(0, self.toilets_needed - self.toilets_available)

    @property
    def space_short(self) -> bool:
        return self.space_per_person_m2 is not None and self.space_per_person_m2 < SPACE_M2_PER_PERSON


def guidance(people: int, toilets: int, floor_area_m2: float | None, days_open: int,
             prolonged_after_days: int = PROLONGED_AFTER_DAYS) -> Guidance:
    """Toilets and living space needed for ``people`` evacuees after ``days_open`` days."""
    prolonged = days_open >= prolonged_after_days
    per_toilet = TOILET_PEOPLE_PROLONGED if prolonged else TOILET_PEOPLE_FIRST
    needed = -(-people // per_toilet) if people else 0
    space = round(float(floor_area_m2) / people, 1) if floor_area_m2 and people else None
    return Guidance(needed, toilets, prolonged, space, round(people * SPACE_M2_PER_PERSON, 1))


def day_and_night(stays: dict[str, int]) -> tuple[int, int]:
    """(昼, 夜) counts from the number of evacuees per stay (終日 / 昼のみ / 夜のみ)."""
    whole = stays.get(WHOLE_DAY, 0)
    return whole + stays.get(DAY_ONLY, 0), whole + stays.get(NIGHT_ONLY, 0)
