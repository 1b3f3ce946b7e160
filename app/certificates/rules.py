"""Pure rules of certificate issuance: who may get which document through which channel, when a
kiosk is open, and what one issue costs whom. No database, no Flask: callers pass the facts.

Money figures are the seed document's (DOMAIN.md "Convenience-store issuance"): the store
commission of 117 円 per kiosk issue, the BCL fee of 180 円 per kiosk issue of the documents the seed
names for BCL (住民票の写し, 印鑑登録証明書, the tax certificates; not 住民票記載事項証明書), and a
free 罹災証明書 costing the resident 10 円 at a kiosk. The fees themselves are each municipality's
(``certificate_fees``); ``DEFAULT_FEES`` only fills what a municipality has not set.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from app.clock import JST, require_aware
from app.residents.rules import DECEASED, MOVED_OUT, REGISTERED

COUNTER, ONLINE, KIOSK, SELF_SERVICE = "窓口", "オンライン", "コンビニ", "らくらく窓口"
CHANNELS = (COUNTER, ONLINE, KIOSK, SELF_SERVICE)

RESIDENT_COPY, RESIDENT_ITEMS, SEAL = "住民票の写し", "住民票記載事項証明書", "印鑑登録証明書"
INCOME, ASSESSMENT, INCOME_TAX, PAYMENT = "所得証明書", "課税証明書", "所得課税証明書", "納税証明書"
DISASTER, DAMAGE_REPORT = "罹災証明書", "被災証明書"
RESIDENT_DOCUMENTS = (RESIDENT_COPY, RESIDENT_ITEMS)
TAX_DOCUMENTS = (INCOME, ASSESSMENT, INCOME_TAX, PAYMENT)
# The resident and tax documents the issuance service issues through every channel.
ISSUED_DOCUMENTS = (*RESIDENT_DOCUMENTS, SEAL, *TAX_DOCUMENTS)
# The kiosk issues that carry the BCL fee: those the seed names for BCL (住民票/印鑑/税). Many towns
# offer the 住民票記載事項証明書 at kiosks too, without the fee.
BCL_FEE_DOCUMENTS = (RESIDENT_COPY, SEAL, *TAX_DOCUMENTS)
DOCUMENT_TYPES = (*ISSUED_DOCUMENTS, DISASTER, DAMAGE_REPORT)
# What kiosks and らくらく窓口 issue: those documents, and further copies of a 罹災証明書 the counter
# has issued (the grade is final and the household is in the 被災者台帳).
KIOSK_DOCUMENTS = (*ISSUED_DOCUMENTS, DISASTER)

# Seed figures (yen). Unconfirmed per DOMAIN.md: a municipality's fee rows override the fees.
STORE_COMMISSION_YEN = 117
BCL_FEE_YEN = 180
FREE_DISASTER_KIOSK_FEE_YEN = 10
DEFAULT_FEES = {COUNTER: 300, ONLINE: 300, SELF_SERVICE: 300, KIOSK: 200}
FREE_DOCUMENTS = (DISASTER, DAMAGE_REPORT)

KIOSK_MIN_AGE = 15
# The self-service screen at the counter follows the kiosk's eligibility (age, 支援措置, move-out, fonts).
KIOSK_STYLE_CHANNELS = (KIOSK, SELF_SERVICE)
KIOSK_OPENS, KIOSK_CLOSES = time(6, 30), time(23, 0)
# Closed over the new year: 12/29 – 1/3 (month, day), both ends included.
YEAR_END_CLOSED = ((12, 29), (12, 31), (1, 1), (1, 3))
# The new fiscal year's 住民税 is assessed in June: before June 1 the latest year is the previous one.
TAX_YEAR_STARTS = (6, 1)

MESSAGES = {
    "document_unknown": "その証明書の種類は取り扱っていません。",
    "not_offered": "この市区町村はこの証明書をコンビニ交付で発行していません。",
    "weekday_only": "この証明書は平日のみ発行できます（土曜・日曜・祝日・年末年始と市区町村の閉庁日を除きます）。",
    "under_age": "15歳未満の方はコンビニ交付を利用できません。市区町村の窓口で請求してください。",
    "moved_out": "転出された方（転出の届出をされた方を含む）はコンビニ交付を利用できません。",
    "household_moving_out": "世帯に転出の届出があるため、コンビニ交付を利用できません。"
                            "市区町村の窓口で請求してください。",
    "deceased": "この方の住民記録は消除されています。",
    "not_resident": "住民記録（住登内）がないため、証明書を発行できません。",
    "protected": "支援措置の対象の方はコンビニ交付を利用できません。市区町村の窓口で請求してください。",
    "unprintable": "氏名・住所などに端末で印字できない文字があるため、市区町村の窓口で請求してください。",
    "no_tax_record": "請求された年度の税情報がないため、税の証明書を発行できません。",
    "tax_year_not_current": "コンビニ交付で発行できる税の証明書は最新の年度のものだけです。",
    "no_seal": "有効な印鑑登録がありません。",
    "no_final_grade": "罹災証明書は、被害の程度が確定し市区町村の窓口で交付を受けた世帯の方だけがコンビニ交付で"
                      "取得できます（再調査中は取得できません）。",
    "option_unknown": "指定された記載事項（オプション）はこの証明書では選べません。",
    "not_reissuable": "この証明書は再交付できません（無効にされたものか、住民票・印鑑・税の証明書ではありません）。",
    "no_contract": "お住まいの市区町村は、この店舗の事業者とコンビニ交付の契約をしていません。"
                   "契約している店舗か、市区町村の窓口をご利用ください。",
    "closed_hours": "コンビニ交付の利用時間（6時30分から23時まで）外です。",
    "closed_year_end": "年末年始（12月29日から1月3日まで）はコンビニ交付を休止しています。",
    "closed_maintenance": "本日はシステムの保守のため、コンビニ交付を休止しています。",
}


@dataclass(frozen=True)
class Refusal:
    """Why not: a stable ``code`` and its Japanese ``message``."""

    code: str
    channel: str = ""  # らくらく窓口: the kiosk messages name that channel instead of コンビニ交付

    @property
    def message(self) -> str:
        if self.channel == SELF_SERVICE:
            return MESSAGES[self.code].replace("コンビニ交付", SELF_SERVICE)
        return MESSAGES[self.code]


@dataclass(frozen=True)
class PersonFacts:
    """What eligibility looks at, gathered from the 中間DB by the caller."""

    birth_date: date
    status: str  # 住民状態: 住登内 / 転出 / 死亡 / 職権消除
    removed_on: date | None  # 消除日 (a filed 転出 carries its planned date, possibly in the future)
    is_protected: bool
    household_moving_out: bool  # another member of the household has filed a move-out
    unprintable: tuple[str, ...] = ()  # characters of name/address the fonts lack


@dataclass(frozen=True)
class DocumentFacts:
    """Facts about the requested document: data present for it, and the fee row."""

    document_type: str
    is_offered: bool = True
    is_weekday_only: bool = False
    fiscal_year: int | None = None
    has_tax_record: bool = False
    has_seal: bool = False
    final_grade: str = ""


def age_on(birth_date: date, day: date) -> int:
    """Age in whole years on ``day`` (年齢計算ニ関スル法律: one's age goes up the day before the
    birthday; for a kiosk "15 or older on the day" the birthday itself is what counts)."""
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def current_fiscal_year(day: date) -> int:
    """The latest 住民税 年度 on ``day``: the calendar year from June 1, else the year before."""
    return day.year if (day.month, day.day) >= TAX_YEAR_STARTS else day.year - 1


def person_refusal(person: PersonFacts, channel: str, day: date) -> Refusal | None:
    """Whether the person may be issued anything through ``channel`` on ``day`` (None: yes)."""
    if person.status == DECEASED:
        return Refusal("deceased")
    if person.status == MOVED_OUT or (person.status == REGISTERED and person.removed_on is not None):
        return Refusal("moved_out")
    if person.status != REGISTERED:
        return Refusal("not_resident")
    if channel not in KIOSK_STYLE_CHANNELS:
        return None
    if age_on(person.birth_date, day) < KIOSK_MIN_AGE:
        return Refusal("under_age", channel)
    if person.is_protected:
        return Refusal("protected", channel)
    if person.household_moving_out:
        return Refusal("household_moving_out", channel)
    if person.unprintable:
        return Refusal("unprintable", channel)
    return None


def channel_documents(channel: str) -> tuple[str, ...]:
    """The document types the issuance service issues through ``channel`` (a 罹災証明書 at the counter
    is issued on its application; kiosks print copies of it from its document source, ``sources``)."""
    return KIOSK_DOCUMENTS if channel in KIOSK_STYLE_CHANNELS else ISSUED_DOCUMENTS


def is_weekday(day: date, closed_reason: str | None = None) -> bool:
    """平日 for the documents a municipality issues on weekdays only: Monday to Friday, and not a day
    its office is closed (``closed_reason``, from ``OfficeHours.closed_reason``: a 祝日, 振替休日 or
    国民の休日, 12/29–1/3, a weekday it closes, one of its own 閉庁日)."""
    return day.weekday() < 5 and closed_reason is None


def document_refusal(document: DocumentFacts, channel: str, day: date,
                     closed_reason: str | None = None) -> Refusal | None:
    """Whether the document can be issued through ``channel`` on ``day`` for a person already found
    eligible (None: yes). ``closed_reason`` says why the municipality's office is closed that day
    (None: open), for the weekday-only documents."""
    kind = document.document_type
    if kind not in channel_documents(channel):
        return Refusal("document_unknown")
    if not document.is_offered:
        return Refusal("not_offered")
    if document.is_weekday_only and not is_weekday(day, closed_reason):
        return Refusal("weekday_only")
    if kind in TAX_DOCUMENTS:
        if channel == KIOSK and document.fiscal_year != current_fiscal_year(day):
            return Refusal("tax_year_not_current")
        if not document.has_tax_record:
            return Refusal("no_tax_record")
    if kind == SEAL and not document.has_seal:
        return Refusal("no_seal")
    if kind == DISASTER and not document.final_grade:
        return Refusal("no_final_grade", channel)
    return None


def kiosk_closed(moment: datetime, maintenance_days: frozenset[date] | set[date] = frozenset()) -> Refusal | None:
    """Whether the kiosk service is closed at ``moment`` (timezone-aware, judged in JST): hours
    06:30–23:00 (23:00 is closed), 12/29–1/3 and maintenance days. None when open."""
    local = require_aware(moment, "moment").astimezone(JST)
    day = local.date()
    if (day.month, day.day) >= YEAR_END_CLOSED[0] or (day.month, day.day) <= YEAR_END_CLOSED[3]:
        return Refusal("closed_year_end")
    if day in maintenance_days:
        return Refusal("closed_maintenance")
    if not KIOSK_OPENS <= local.time() < KIOSK_CLOSES:
        return Refusal("closed_hours")
    return None


def default_fee(document_type: str, channel: str) -> int:
    """The fee when the municipality has set none: 罹災/被災証明書 free, others 300 円 (kiosk 200 円)."""
    if document_type in FREE_DOCUMENTS:
        return 0
    return DEFAULT_FEES[channel]


def default_offered(document_type: str, channel: str) -> bool:
    """Offered unless set otherwise; at kiosks only the documents the kiosk API issues."""
    return channel != KIOSK or document_type in KIOSK_DOCUMENTS


@dataclass(frozen=True)
class Charges:
    """The money of one issue: what the applicant pays, the store's commission, BCL's fee."""

    fee_yen: int
    commission_yen: int
    bcl_fee_yen: int

    @property
    def municipality_net_yen(self) -> int:
        return self.fee_yen - self.commission_yen - self.bcl_fee_yen


def charges(document_type: str, channel: str, fee: int, *, commission: int = STORE_COMMISSION_YEN,
            bcl_fee: int = BCL_FEE_YEN, free_disaster_fee: int = FREE_DISASTER_KIOSK_FEE_YEN) -> Charges:
    """(fee, commission, BCL fee) of one issue. At a kiosk the municipality pays the store's
    commission and, for ``BCL_FEE_DOCUMENTS`` (住民票の写し/印鑑/税), the BCL fee; a 罹災証明書 that is
    free elsewhere costs the resident ``free_disaster_fee`` at a kiosk (10 − 117 = −107 for the
    municipality). Other channels: the fee only."""
    if channel != KIOSK:
        return Charges(fee, 0, 0)
    if document_type == DISASTER and fee == 0:
        fee = free_disaster_fee
    return Charges(fee, commission, bcl_fee if document_type in BCL_FEE_DOCUMENTS else 0)

