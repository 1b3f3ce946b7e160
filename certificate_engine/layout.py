"""Per-municipality layout data: the mayor, the 公印 image, wording, titles and fees.

Layouts are data, not code, so a municipality changes its mayor or seal without a release. The
mapping fields are tuples of pairs so that a ``Layout`` stays frozen and hashable (the renderer
caches the decoded seal image per layout).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from certificate_engine.documents import Header

DEFAULT_STATEMENTS: dict[str, str] = {
    "住民票の写し": "この写しは、住民票の原本と相違ないことを証明する。",
    "住民票記載事項証明書": "上記の事項は、住民票に記載されていることを証明する。",
    "印鑑登録証明書": "この写しは、登録された印影と相違ないことを証明する。",
    "所得証明書": "上記のとおり相違ないことを証明する。",
    "課税証明書": "上記のとおり相違ないことを証明する。",
    "非課税証明書": "上記のとおり住民税が課されていないことを証明する。",
    "所得課税証明書": "上記のとおり相違ないことを証明する。",
    "納税証明書": "上記のとおり納付されていることを証明する。",
    "罹災証明書": "上記のとおり相違ないことを証明します。",
    "被災証明書": "上記について被害の届出があったことを証明します。",
}

DEFAULT_NOTICE = ("この証明書には電子署名が付されています。記載の確認コードまたは二次元コードから、"
                  "真正に発行されたものであることを確認できます。")


@dataclass(frozen=True)
class Layout:
    """How one municipality's certificates look and what they say around the items."""

    municipality: str  # 宮城県桜ヶ丘町
    mayor_title: str  # 桜ヶ丘町長
    mayor_name: str
    verify_url: str  # the public /verify page; the QR code is this URL with ?code=…
    seal_image: bytes | None = None  # 公印 (PNG), drawn over the mayor's name
    titles: tuple[tuple[str, str], ...] = ()  # document kind → printed title
    statements: tuple[tuple[str, str], ...] = ()  # document kind → 証明文
    fees: tuple[tuple[str, int], ...] = ()  # document kind → 手数料 (yen), printed when set
    notice: str = DEFAULT_NOTICE
    pattern_text: str = "複写"  # けん制文字 of the background pattern

    def title(self, kind: str) -> str:
        """The printed title of ``kind`` (the municipality's override or the kind itself)."""
        return dict(self.titles).get(kind, kind)

    def statement(self, kind: str) -> str:
        """The 証明文 printed under the items."""
        return dict(self.statements).get(kind, DEFAULT_STATEMENTS.get(kind, "上記のとおり証明する。"))

    def fee(self, kind: str) -> int | None:
        return dict(self.fees).get(kind)

    def header(self, lg_code: str, issued_on: date, serial: str, verification_code: str) -> Header:
        """The document header for an issue by this municipality's current mayor."""
        return Header(lg_code=lg_code, municipality=self.municipality, mayor_title=self.mayor_title,
                      mayor_name=self.mayor_name, issued_on=issued_on, serial=serial,
                      verification_code=verification_code)

    def verify_link(self, code: str) -> str:
        """The URL the QR code carries."""
        return f"{self.verify_url}?code={code}"
