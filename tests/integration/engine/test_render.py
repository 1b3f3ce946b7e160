"""certificate_engine rendering: every document type, its Japanese text, 和暦 dates, optional items,
embedded IPAex fonts, the QR code and the policy for characters the fonts lack (checked with poppler)."""
import dataclasses
import subprocess
from datetime import date

import pytest
import segno
from PIL import Image
from reportlab.pdfgen.canvas import Canvas

from certificate_engine import documents as d
from certificate_engine.fonts import UnsupportedCharacters, unsupported
from certificate_engine.render import QR_MASK, _draw_qr, render_pdf
from fixtures.certificate_samples import FOREIGN, HEAD, sample_documents, sample_header, sample_layout


@pytest.fixture(scope="module")
def layout():
    return sample_layout()


@pytest.fixture(scope="module")
def docs(layout):
    return sample_documents(layout)


def pdf_text(pdf: bytes, tmp_path, name="doc") -> str:
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


def squeeze(text: str) -> str:
    return "".join(text.split())


EXPECTED = {
    "resident_single": ["住民票の写し", "桜太郎", "昭和50年4月12日", "住所を定めた年月日", "平成22年6月1日", "前住所",
                        "宮城県仙台市青葉区本町三丁目8番1号", "住民となった日", "手数料300円"],
    "resident_household": ["住民票の写し", "桜太郎", "桜花子（旧氏髙橋）", "平成元年1月8日", "GARCIAMARIA",
                           "通称山本マリア", "国籍・地域ブラジル", "在留資格定住者", "在留カード等番号AB12345678CD",
                           "令和9年3月31日", "世帯主桜太郎", "続柄妻"],
    "resident_items": ["住民票記載事項証明書", "桜花子", "提出先桜ヶ丘町立病院",
                       "住民票に記載されていることを証明する"],
    "seal": ["印鑑登録証明書", "登録番号00012345", "印影", "登録された印影と相違ない"],
    "income": ["所得証明書", "令和8年度", "給与所得3,680,000円", "合計所得金額8,880,000円", "扶養親族の数2人"],
    "assessment": ["課税証明書", "均等割額5,000円", "所得割額215,600円", "年税額220,600円"],
    "exemption": ["非課税証明書", "住民税が課されていないことを証明する"],
    "income_tax": ["所得課税証明書", "合計所得金額", "年税額220,600円"],
    "payment": ["納税証明書", "令和7年度", "固定資産税", "未納額49,000円", "使用目的融資の申込み"],
    "disaster": ["罹災証明書", "住家の被害の程度□全壊□大規模半壊■中規模半壊",
                 "地震（令和8年桜ヶ丘地震、令和8年11月20日発生）", "■床上浸水□床下浸水", "世帯構成員桜太郎、桜花子"],
    "damage_report": ["被災証明書", "家財（冷蔵庫・洗濯機）", "被害の届出があったことを証明します"],
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_certengine_every_document_renders_its_items(docs, name, tmp_path):
    text = squeeze(pdf_text(render_pdf(docs[name], sample_layout()), tmp_path, name))
    for expected in [*EXPECTED[name], "証明番号2026-000123", "令和8年11月26日", "桜ヶ丘町長桜井正道",
                     "確認コード7K3M-Q9XD-2HFA", "http://127.0.0.1:5000/verify?code=7K3M-Q9XD-2HFA"]:
        assert expected in text, (name, expected)
    assert "複写" not in text  # the けん制文字 pattern is an image, never extractable text


def test_certengine_optional_items_only_when_chosen(layout, tmp_path):
    header = sample_header(layout)
    plain = squeeze(pdf_text(render_pdf(d.ResidentRecordCopy(header, HEAD.name, (HEAD,)), layout), tmp_path, "a"))
    chosen = d.ResidentOptions(head_and_relationship=True, honseki=True, my_number=True)
    full = squeeze(pdf_text(render_pdf(d.ResidentRecordCopy(header, HEAD.name, (HEAD,), chosen), layout),
                            tmp_path, "b"))
    for optional in ("本籍宮城県桜ヶ丘町本町一丁目2番地", "筆頭者桜太郎", "個人番号123456789018", "続柄世帯主"):
        assert optional not in plain and optional in full
    foreign_only = d.ResidentOptions(foreign_items=False)
    hidden = squeeze(pdf_text(render_pdf(d.ResidentRecordCopy(header, HEAD.name, (FOREIGN,), foreign_only),
                                         layout), tmp_path, "c"))
    assert "在留カード等番号" not in hidden and "GARCIAMARIA" in hidden


def test_certengine_fonts_are_embedded_ipaex_not_cid(docs, tmp_path):
    path = tmp_path / "fonts.pdf"
    path.write_bytes(render_pdf(docs["seal"], sample_layout()))
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    rows = [line.split() for line in fonts.splitlines()[2:]]
    names = {row[0].split("+")[-1] for row in rows}
    assert "IPAexMincho" in names and names <= {"IPAexMincho", "IPAexGothic"}
    assert all(row[1] == "TrueType" and row[-5] == "yes" for row in rows)  # emb = yes
    assert "Heisei" not in fonts and "Helvetica" not in fonts


def test_certengine_a_large_household_flows_over_pages_with_the_serial_on_each(layout, tmp_path):
    people = tuple(dataclasses.replace(HEAD, name=f"桜 {i}郎", relationship="子") for i in range(1, 13))
    pdf = render_pdf(d.ResidentRecordCopy(sample_header(layout), HEAD.name, people), layout)
    pages = pdf_text(pdf, tmp_path).split("\f")
    pages = [squeeze(p) for p in pages if p.strip()]
    assert len(pages) >= 2
    assert all("証明番号2026-000123" in p for p in pages)
    assert "桜12郎" in "".join(pages) and "確認コード" in pages[-1] and "確認コード" not in pages[0]


def test_certengine_characters_outside_the_font_are_refused_by_name(layout):
    assert unsupported("髙橋﨑邊齋①") == []  # IPAex has these
    odd = dataclasses.replace(HEAD, name="𠮷田 太郎", address="桜ヶ丘町\ue000番地")
    with pytest.raises(UnsupportedCharacters) as caught:
        render_pdf(d.ResidentRecordCopy(sample_header(layout), odd.name, (odd,)), layout)
    assert caught.value.characters == ["𠮷", "\ue000"]
    assert "𠮷（U+20BB7）" in str(caught.value) and "U+E000" in str(caught.value)


def test_certengine_qr_modules_match_the_encoded_verify_url(tmp_path):
    url = "http://127.0.0.1:5000/verify?code=7K3M-Q9XD-2HFA"
    path = tmp_path / "qr.pdf"
    canvas = Canvas(str(path), pagesize=(200, 200))
    _draw_qr(canvas, url, 10, 10, 180)
    canvas.save()
    subprocess.run(["pdftoppm", "-r", "144", "-gray", "-png", "-singlefile", str(path), str(tmp_path / "qr")],
                   check=True)
    image = Image.open(tmp_path / "qr.png").convert("L")
    scale = 144 / 72
    expected = segno.make(url, error="m", micro=False, mask=QR_MASK).matrix
    module = 180 / len(expected)
    for row, values in enumerate(expected):
        for col, dark in enumerate(values):
            x, y = (10 + (col + 0.5) * module) * scale, (10 + (row + 0.5) * module) * scale
            assert (image.getpixel((int(x), int(y))) < 128) == bool(dark), (row, col)


def test_certengine_wareki_fiscal_year_and_exempt_title(docs):
    from certificate_engine.content import content_of, fiscal_year

    assert fiscal_year(2019) == "令和元年度" and fiscal_year(2018) == "平成30年度"
    assert content_of(docs["exemption"], sample_layout()).title == "非課税証明書"
    renamed = dataclasses.replace(sample_layout(), titles=(("罹災証明書", "罹災証明書（住家）"),))
    assert content_of(docs["disaster"], renamed).title == "罹災証明書（住家）"
    assert date(2026, 11, 26) == docs["disaster"].header.issued_on


def test_certengine_layout_wording_is_checked_too(layout):
    odd = dataclasses.replace(layout, statements=(("罹災証明書", "上記のとおり𠮷証明します。"),))
    with pytest.raises(UnsupportedCharacters) as caught:
        render_pdf(sample_documents(odd)["disaster"], odd)
    assert caught.value.characters == ["𠮷"]


def test_certengine_background_pattern_and_seal_are_embedded_images(docs, tmp_path):
    path = tmp_path / "images.pdf"
    path.write_bytes(render_pdf(docs["disaster"], sample_layout()))
    listing = subprocess.run(["pdfimages", "-list", str(path)], capture_output=True, text=True, check=True).stdout
    rows = [line.split() for line in listing.splitlines()[2:]]
    assert any(r[2] == "image" and r[5] == "gray" and r[8] == "jpeg" for r in rows)  # the pattern, as is
    assert any(r[2] == "smask" for r in rows)  # the 公印 with its transparency


def test_certengine_images_are_reused_across_documents_and_keep_their_shape(layout, docs, tmp_path):
    import io as _io

    wide = _io.BytesIO()
    Image.new("RGBA", (300, 100), (200, 30, 30, 255)).save(wide, "PNG")
    seal = dataclasses.replace(docs["seal"], seal_image=wide.getvalue())
    for name in ("first", "second"):  # the cached streams go into a second document just as well
        path = tmp_path / f"{name}.pdf"
        path.write_bytes(render_pdf(seal, layout))
        listing = subprocess.run(["pdfimages", "-list", str(path)], capture_output=True, text=True,
                                 check=True).stdout
        assert any(line.split()[3:5] == ["300", "100"] for line in listing.splitlines()[2:])
    subprocess.run(["pdftoppm", "-r", "72", "-gray", "-png", "-singlefile", str(path), str(tmp_path / "page")],
                   check=True)
    page = Image.open(tmp_path / "page.png").convert("L")
    # The 印影 box is 36 mm wide: a 3:1 image drawn into it stays 3:1 (dark band, light above it).
    centre_x = page.width // 2
    column = [page.getpixel((centre_x, y)) for y in range(page.height)]
    longest = run = 0
    for value in column:
        run = run + 1 if value < 120 else 0
        longest = max(longest, run)
    assert 20 <= longest <= 40  # ~28 pt tall; stretched to the square box it would be ~85
