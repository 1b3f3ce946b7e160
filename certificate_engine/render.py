"""Draw a document on A4 with reportlab: background pattern, items, 証明文, mayor and 公印, QR code.

Every page carries the けん制文字 pattern in a light tint and a footer with the serial number;
the last page carries the 証明文, the 和暦 issue date, the mayor's name with the 公印 over its end,
and the verification code with its QR code. Fonts are the embedded IPAex TrueType faces.
"""
from __future__ import annotations

import atexit
import hashlib
import io
import os
import tempfile
from dataclasses import fields, is_dataclass
from functools import lru_cache

import segno
from reportlab import rl_config
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfdoc
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from certificate_engine.content import Block, Content, content_of
from certificate_engine.documents import Document, Header
from certificate_engine.fonts import GOTHIC, MINCHO, check_characters, font_path, register_fonts
from certificate_engine.layout import Layout
from certificate_engine.linebreak import wrap
from certificate_engine.wareki import format_date

WIDTH, HEIGHT = A4
MARGIN = 20 * mm
LABEL_WIDTH = 48 * mm
BODY_SIZE, LINE = 10.5, 15.5
STATEMENT_SIZE, STATEMENT_LEADING = 11, 12.5  # 証明文: two lines fit above the issue date
BOTTOM = 32 * mm  # below this the footer, the closing part needs more (CLOSING_HEIGHT)
CLOSING_HEIGHT = 78 * mm
SEAL_SIZE = 22 * mm
QR_SIZE = 26 * mm
QR_MASK = 2
PATTERN_TINT = 0.93
# Binary streams: ASCII85 would only grow the file, and without reportlab's C accelerator it costs
# more than the rest of the page together.
rl_config.useA85 = 0


def render_pdf(document: Document, layout: Layout) -> bytes:
    """The unsigned PDF of ``document`` (A4, one or more pages).

    Raises ``fonts.UnsupportedCharacters`` when a text holds a character the fonts cannot print.
    """
    check_characters([*_texts(document), *_texts(layout)])
    register_fonts()
    content = content_of(document, layout)
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=A4, initialFontName=MINCHO, initialFontSize=BODY_SIZE)
    canvas.setTitle(f"{content.title} {document.header.serial}")
    canvas.setAuthor(document.header.municipality)
    canvas.setCreator("BCL certificate_engine")
    page = _Page(canvas, document.header, layout, layout.fee(document.kind))  # per type, as charged
    page.start()
    y = _draw_heading(canvas, document.header, content)
    for block in content.blocks:
        y = page.draw_block(block, y)
    statement = _wrap(content.statement, WIDTH - 2 * MARGIN, STATEMENT_SIZE)
    if y - CLOSING_HEIGHT - _statement_extra(statement) < BOTTOM:
        y = page.next()
    _draw_closing(canvas, document.header, layout, statement, y)
    page.finish()
    canvas.save()
    return out.getvalue()


def _texts(value) -> list[str]:
    """Every string inside a (nested) dataclass."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, tuple):
        return [t for item in value for t in _texts(item)]
    if is_dataclass(value):
        return [t for f in fields(value) for t in _texts(getattr(value, f.name))]
    return []


class _Page:
    """Page flow: background and footer on every page, a new page when the items run out of room."""

    def __init__(self, canvas: Canvas, header: Header, layout: Layout, fee: int | None):
        self.canvas, self.header, self.layout, self.fee, self.number = canvas, header, layout, fee, 0

    def start(self) -> None:
        self.number += 1
        _draw_pattern(self.canvas, self.layout.pattern_text)
        _draw_footer(self.canvas, self.header, self.fee, self.number)

    def next(self) -> float:
        self.canvas.showPage()
        self.start()
        return HEIGHT - MARGIN

    def finish(self) -> None:
        self.canvas.showPage()

    def draw_block(self, block: Block, y: float) -> float:
        if block.heading:
            if y - 2 * LINE < BOTTOM:
                y = self.next()
            self.canvas.setFont(MINCHO, BODY_SIZE)
            self.canvas.drawString(MARGIN, y - LINE + 4, block.heading)
            y -= LINE
        for label, value in block.rows:
            lines = _wrap(value, WIDTH - 2 * MARGIN - LABEL_WIDTH - 8)
            if y - LINE * len(lines) < BOTTOM:
                y = self.next()
            y = _draw_row(self.canvas, label, lines, y)
        return y - 6


def _draw_heading(canvas: Canvas, header: Header, content: Content) -> float:
    canvas.setFillGray(0)
    canvas.setFont(MINCHO, 9)
    canvas.drawRightString(WIDTH - MARGIN, HEIGHT - MARGIN + 4, f"証明番号 {header.serial}")
    canvas.setFont(MINCHO, 22)
    canvas.drawCentredString(WIDTH / 2, HEIGHT - MARGIN - 22, content.title)
    y = HEIGHT - MARGIN - 44
    if content.seal_impression:
        y = _draw_impression(canvas, content.seal_impression, y)
    return y


def _draw_impression(canvas: Canvas, png: bytes, y: float) -> float:
    """The registered 印影 in a framed box (印鑑登録証明書)."""
    size = 36 * mm
    left = (WIDTH - size) / 2
    canvas.setFont(MINCHO, 9)
    canvas.drawString(left, y - 10, "印影")
    canvas.rect(left, y - 14 - size, size, size)
    draw_png(canvas, png, left + 3 * mm, y - 14 - size + 3 * mm, size - 6 * mm, size - 6 * mm)
    return y - 22 - size


def _draw_row(canvas: Canvas, label: str, lines: list[str], y: float) -> float:
    height = LINE * len(lines)
    canvas.setLineWidth(0.5)
    canvas.rect(MARGIN, y - height, LABEL_WIDTH, height)
    canvas.rect(MARGIN + LABEL_WIDTH, y - height, WIDTH - 2 * MARGIN - LABEL_WIDTH, height)
    canvas.setFont(MINCHO, 9.5)
    canvas.drawString(MARGIN + 4, y - LINE + 4.5, label)
    canvas.setFont(MINCHO, BODY_SIZE)
    for i, line in enumerate(lines):
        canvas.drawString(MARGIN + LABEL_WIDTH + 5, y - LINE * (i + 1) + 4.5, line)
    return y - height


def _wrap(text: str, width: float, size: float = BODY_SIZE) -> list[str]:
    """Break ``text`` into lines no wider than ``width`` in the Mincho face at ``size``, following
    禁則処理 (``certificate_engine.linebreak``)."""
    return wrap(text, width, lambda line: stringWidth(line, MINCHO, size))


def _statement_extra(statement: list[str]) -> float:
    """How much further down a 証明文 of more than one line pushes the rest of the closing part."""
    return STATEMENT_LEADING * max(len(statement) - 2, 0)


def _draw_closing(canvas: Canvas, header: Header, layout: Layout, statement: list[str], y: float) -> None:
    """証明文 (already wrapped), issue date, mayor with 公印, verification code and QR code."""
    canvas.setFillGray(0)
    canvas.setFont(MINCHO, STATEMENT_SIZE)
    for i, line in enumerate(statement):
        canvas.drawString(MARGIN, y - 18 - STATEMENT_LEADING * i, line)
    y -= _statement_extra(statement)
    canvas.drawString(MARGIN, y - 44, format_date(header.issued_on))
    canvas.setFont(MINCHO, 14)
    mayor = f"{header.mayor_title}　{header.mayor_name}"
    right = WIDTH - MARGIN - SEAL_SIZE / 2
    canvas.drawRightString(right, y - 72, mayor)
    if layout.seal_image:
        draw_png(canvas, layout.seal_image, right - SEAL_SIZE / 2, y - 72 - SEAL_SIZE / 2 + 5, SEAL_SIZE, SEAL_SIZE)
    _draw_verification(canvas, header, layout, y - 88)


def _draw_verification(canvas: Canvas, header: Header, layout: Layout, top: float) -> None:
    link = layout.verify_link(header.verification_code)
    _draw_qr(canvas, link, MARGIN, top - QR_SIZE, QR_SIZE)
    left = MARGIN + QR_SIZE + 4 * mm
    canvas.setFont(MINCHO, 10)
    canvas.drawString(left, top - 12, f"確認コード　{header.verification_code}")
    canvas.setFont(MINCHO, 8)
    canvas.drawString(left, top - 26, link)
    for i, line in enumerate(_wrap(layout.notice, WIDTH - MARGIN - left, 8)):
        canvas.drawString(left, top - 40 - 11 * i, line)


def _draw_qr(canvas: Canvas, data: str, x: float, y: float, size: float) -> None:
    """The QR code as vector rectangles (one per run of dark modules), no raster image.

    The rectangles are written in module units under one scaling transform: integers only,
    which keeps the page stream short and cheap to produce.
    """
    matrix = _qr_matrix(data)
    count = len(matrix)
    ops = []
    for row_index, row in enumerate(matrix):
        top = count - row_index - 1
        start = None
        for col, dark in enumerate((*row, 0)):
            if dark and start is None:
                start = col
            elif not dark and start is not None:
                ops.append(f"{start} {top} {col - start} 1 re")
                start = None
    canvas.saveState()
    canvas.setFillGray(0)
    canvas.transform(size / count, 0, 0, size / count, x, y)
    canvas.addLiteral("\n".join(ops) + "\nf")
    canvas.restoreState()


@lru_cache(maxsize=256)
def _qr_matrix(data: str) -> tuple[tuple[int, ...], ...]:
    # A fixed mask: segno's search over the eight masks costs more than the rest of the page, and
    # every mask gives a valid, readable code.
    qr = segno.make(data, error="m", micro=False, mask=QR_MASK)
    return tuple(tuple(1 if v else 0 for v in row) for row in qr.matrix)


def _draw_pattern(canvas: Canvas, text: str) -> None:
    """The background: けん制文字 tiled diagonally in a light tint (shows on a copy).

    It is an image, not text, so copied or extracted text holds only the certificate's own words.
    """
    canvas.drawImage(_pattern_file(text), 0, 0, WIDTH, HEIGHT)


@lru_cache(maxsize=8)
def _pattern_file(text: str) -> str:
    """The pattern JPEG as a file of this process: given a file name, reportlab embeds a JPEG as
    is, while an in-memory image would be decoded (4 MB of pixels) just to name it."""
    handle, path = tempfile.mkstemp(prefix="bcl-pattern-", suffix=".jpg")
    with os.fdopen(handle, "wb") as out:
        out.write(pattern_jpeg(text))
    atexit.register(os.unlink, path)
    return path


@lru_cache(maxsize=8)
def pattern_jpeg(text: str, dpi: int = 96) -> bytes:
    """The background pattern as a greyscale JPEG (embedded as is, without re-encoding)."""
    from PIL import Image, ImageDraw, ImageFont

    size = (round(WIDTH / 72 * dpi), round(HEIGHT / 72 * dpi))
    side = int((size[0] ** 2 + size[1] ** 2) ** 0.5) + 2
    tile = Image.new("L", (side, side), 255)
    draw = ImageDraw.Draw(tile)
    font = ImageFont.truetype(str(font_path(GOTHIC)), round(dpi * 0.36))
    step_x, step_y = round(dpi * 1.5), round(dpi * 0.95)
    for row, y in enumerate(range(0, side, step_y)):
        for x in range(-step_x + (row % 2) * step_x // 2, side, step_x):
            draw.text((x, y), text, fill=round(255 * PATTERN_TINT), font=font)
    rotated = tile.rotate(30, fillcolor=255)
    left, top = (side - size[0]) // 2, (side - size[1]) // 2
    out = io.BytesIO()
    rotated.crop((left, top, left + size[0], top + size[1])).save(out, "JPEG", quality=70)
    return out.getvalue()


def _draw_footer(canvas: Canvas, header: Header, fee: int | None, number: int) -> None:
    canvas.setFillGray(0)
    canvas.setFont(MINCHO, 8)
    canvas.line(MARGIN, BOTTOM - 10, WIDTH - MARGIN, BOTTOM - 10)
    canvas.drawString(MARGIN, BOTTOM - 22, f"{header.municipality}　証明番号 {header.serial}")
    if fee is not None:
        canvas.drawCentredString(WIDTH / 2, BOTTOM - 22, f"手数料 {fee:,}円")
    canvas.drawRightString(WIDTH - MARGIN, BOTTOM - 22, f"{number}ページ")


def draw_png(canvas: Canvas, png: bytes, x: float, y: float, width: float, height: float) -> None:
    """Draw a PNG (with its transparency) centred in the box, keeping its aspect ratio, from image
    streams prepared once per process.

    reportlab's ``drawImage`` decodes, hashes and re-compresses an in-memory image for every
    document, a third of a certificate's time for the 公印 alone. The seal is the same on every
    certificate, so its compressed streams are kept and only fresh XObject wrappers are
    registered in each document (the same steps ``drawImage`` takes after loading an image).
    """
    name, image, soft_mask = _png_streams(png)
    document = canvas._doc
    registered = document.getXObjectName(name)
    if registered not in document.idToObject:
        xobject = _xobject(name, image)
        if soft_mask is not None:
            mask_name = document.getXObjectName(name + "m")
            document.Reference(_xobject(name + "m", soft_mask), mask_name)
            xobject.smask = pdfdoc.PDFObjectReference(mask_name)
        document.Reference(xobject, registered)
        document.addForm(name, xobject)
    scale = min(width / image["width"], height / image["height"])
    drawn_width, drawn_height = image["width"] * scale, image["height"] * scale
    canvas.saveState()
    canvas.translate(x + (width - drawn_width) / 2, y + (height - drawn_height) / 2)
    canvas.scale(drawn_width, drawn_height)
    canvas._code.append(f"/{registered} Do")
    canvas.restoreState()
    canvas._formsinuse.append(name)


@lru_cache(maxsize=32)
def _png_streams(png: bytes) -> tuple[str, dict, dict | None]:
    """The PNG's image and soft-mask stream attributes, compressed once."""
    name = "BCLImg" + hashlib.sha256(png).hexdigest()[:24]
    loaded = pdfdoc.PDFImageXObject(name, ImageReader(io.BytesIO(png)), mask="auto")
    soft_mask = getattr(loaded, "_smask", None)
    return name, _stream_attributes(loaded), _stream_attributes(soft_mask) if soft_mask is not None else None


def _stream_attributes(xobject: pdfdoc.PDFImageXObject) -> dict:
    return {k: v for k, v in vars(xobject).items() if k not in ("name", "_smask") and not k.startswith("__")}


def _xobject(name: str, attributes: dict) -> pdfdoc.PDFImageXObject:
    xobject = pdfdoc.PDFImageXObject(name)
    for key, value in attributes.items():
        setattr(xobject, key, value)
    return xobject
