"""Use cases of the shelter desk. The resident search finds people by kana (typed loosely: part of
the name, hiragana, half-width, without the space), birth date (西暦 or 和暦) and address.

The desk recognises people; it does not read where a person under 支援措置 lives. Such a person is
listed without address and birth date (marked 提供抑止), and never found by an address."""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from app.audit.services import Actor, record
from app.db import get_or_not_found
from app.errors import ValidationError
from app.residents.rules import REGISTERED
from app.shelters import rules
from app.shelters.models import Shelter

SEARCH_LIMIT = 20  # people shown at once; the desk asks for the next ones with an offset
MAX_SEARCH_LIMIT = 100
# Matches are counted up to this many (「10000件以上」): a count over a one-letter prefix of a
# million-resident town would cost more than the search, and nobody reads that far at a desk.
COUNT_CAP = 10_000
COLUMNS = ("r.atena_no, r.name, r.name_kana, r.birth_date, r.sex, trim(r.address || ' ' || r.address_katagaki), "
           "r.household_no, r.is_household_head, r.is_protected")


@dataclass(frozen=True)
class Match:
    """One person found at the desk; for a person under 支援措置 ``address`` is empty and
    ``birth_date`` None (see ``_match``)."""

    atena_no: str
    name: str
    name_kana: str
    birth_date: date | None
    sex: str
    address: str
    household_no: str
    is_household_head: bool
    is_protected: bool


def _match(row) -> Match:
    """A found row as the desk may show it: people under 支援措置 without where they live and when
    they were born (the person tells the desk their birth date, which narrows the search)."""
    match = Match(*row)
    if match.is_protected:
        return replace(match, address="", birth_date=None)
    return match


@dataclass(frozen=True)
class Found:
    """One page of a desk search: ``total`` people match (``COUNT_CAP`` meaning at least that many),
    ``matches`` are those from ``offset``."""

    total: int
    offset: int
    matches: list[Match]

    @property
    def total_is_capped(self) -> bool:
        return self.total >= COUNT_CAP


def search_residents(session: Session, actor: Actor, *, kana: str = "", birth: str = "", address: str = "",
                     limit: int = SEARCH_LIMIT) -> list[Match]:
    """The first ``limit`` residents matching the terms (see ``search_page``); the search is audited."""
    return search_page(session, actor, kana=kana, birth=birth, address=address, limit=limit).matches


def search_page(session: Session, actor: Actor, *, kana: str = "", birth: str = "", address: str = "",
                limit: int = SEARCH_LIMIT, offset: int = 0) -> Found:
    """Residents (住登内) matching everything given, best kana matches first: how many there are and
    ``limit`` of them from ``offset``. The search is audited with its terms and the people shown.
    Kana matches a prefix of the name or, when no name starts so, loosely the whole name (trigrams)."""
    kana_query = rules.normalize_kana(kana)
    birth_date = rules.parse_birth_date(birth) if birth.strip() else None
    if birth.strip() and birth_date is None:
        raise ValidationError("生年月日を読めません（例: 1997-05-01、H9.5.1、平成9年5月1日）。", code="birth_invalid")
    address = (address or "").strip()
    if not (kana_query or birth_date or address):
        raise ValidationError("カナ、生年月日、住所のどれかを入力してください。", code="nothing_to_search")
    conditions, params = ["r.status = :registered"], {"limit": limit, "offset": offset, "registered": REGISTERED,
                                                      "cap": COUNT_CAP}
    if birth_date:
        conditions.append("r.birth_date = :birth")
        params["birth"] = birth_date
    if address:  # nobody under 支援措置 is found by where they live
        conditions.append("NOT r.is_protected AND r.address LIKE :address")
        params["address"] = f"%{_escape_like(address)}%"
    if kana_query:
        total, rows = _by_kana_prefix(session, conditions, params, kana_query)
        if not total:  # nothing starts so: look loosely, as for a typo
            total, rows = _by_kana_similarity(session, conditions, params, kana_query)
    else:
        where = " AND ".join(conditions)
        total = session.scalar(text(f"SELECT count(*) FROM (SELECT 1 FROM residents r WHERE {where} LIMIT :cap) c"),
                               params)
        rows = session.execute(text(f"SELECT {COLUMNS} FROM residents r WHERE {where} "
                                    "ORDER BY r.name_kana, r.birth_date, r.id LIMIT :limit OFFSET :offset"),
                               params).all()
    found = [_match(row) for row in rows]
    record(session, actor, "resident_search", "resident", [m.atena_no for m in found],
           kana=kana_query, birth=birth_date.isoformat() if birth_date else "", address=address, offset=offset)
    return Found(total, offset, found)


def household_members(session: Session, actor: Actor, household_no: str) -> list[Match]:
    """The household (住登内, head first) of a resident identified at the desk, e.g. by card; the view
    is audited."""
    rows = session.execute(text(f"SELECT {COLUMNS} FROM residents r WHERE r.status = :registered "
                                "AND r.household_no = :household ORDER BY r.is_household_head DESC, r.id"),
                           {"household": household_no, "registered": REGISTERED}).all()
    found = [_match(row) for row in rows]
    record(session, actor, "record_view", "resident", [m.atena_no for m in found], via="card")
    return found


def _by_kana_prefix(session: Session, conditions: list[str], params: dict, kana: str) -> tuple[int, list]:
    """How many names start with what was typed, and the page of them in kana order. Each prefix
    (also with the stored space placed after each typed letter) is an ordered range scan of the
    (lg_code, name_kana) index. The range is written with the pattern operators ~>=~ ~<~, not LIKE:
    under row-level security only leakproof operators may drive an index, and LIKE is not one. The
    prefixes exclude each other, so their union needs no de-duplication and their counts add up."""
    prefixes = name_prefixes(kana)
    where = " AND ".join(conditions)
    ranges = [f"{where} AND r.name_kana ~>=~ :lo{i} AND r.name_kana ~<~ :hi{i}" for i in range(len(prefixes))]
    bounds = {}
    for i, prefix in enumerate(prefixes):
        bounds |= {f"lo{i}": prefix, f"hi{i}": prefix[:-1] + chr(ord(prefix[-1]) + 1)}
    counts = " + ".join(f"(SELECT count(*) FROM (SELECT 1 FROM residents r WHERE {condition} LIMIT :cap) c)"
                        for condition in ranges)
    total = min(session.scalar(text(f"SELECT {counts}"), params | bounds), COUNT_CAP)
    if not total:
        return 0, []
    branches = " UNION ALL ".join(
        f"(SELECT {COLUMNS}, r.id FROM residents r WHERE {condition} "
        f"ORDER BY r.name_kana USING ~<~, r.birth_date, r.id LIMIT :offset + :limit)" for condition in ranges)
    rows = session.execute(text(f"SELECT * FROM ({branches}) AS found ORDER BY 3, 4, 10 LIMIT :limit OFFSET :offset"),
                           params | bounds).all()
    return total, [row[:9] for row in rows]


def _by_kana_similarity(session: Session, conditions: list[str], params: dict, kana: str) -> tuple[int, list]:
    """Names like what was typed (pg_trgm similarity through the trigram index, migration 0012), the
    200 most alike at most: how many of them match, and the page of them, most alike first."""
    alike = f"""FROM residents r JOIN bcl_similar_kana(:kana, 200) WITH ORDINALITY AS alike(id, rank)
                ON alike.id = r.id WHERE {' AND '.join(conditions)}"""
    total = session.scalar(text(f"SELECT count(*) {alike}"), params | {"kana": kana})
    rows = session.execute(text(f"SELECT {COLUMNS} {alike} ORDER BY alike.rank LIMIT :limit OFFSET :offset"),
                           params | {"kana": kana}).all()
    return total, rows


def _escape_like(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def name_prefixes(kana: str) -> list[str]:
    """What a stored 氏名カナ may start with: the typed kana, and with the full-width space between
    family and given name after each typed letter."""
    return [kana, *[kana[:i] + "　" + kana[i:] for i in range(1, len(kana))][:11]]


def list_shelters(session: Session) -> list[Shelter]:
    return list(session.scalars(select(Shelter).order_by(Shelter.code)))


def get_shelter(session: Session, shelter_id: int) -> Shelter:
    return get_or_not_found(session, Shelter, shelter_id, "指定された避難所は見つかりません。", "shelter")
