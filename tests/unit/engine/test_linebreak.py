"""禁則処理 of the certificate engine's line breaking: closing marks, 、。 and small kana never start a
line, opening brackets never end one (not even after a space), numbers and Latin words stay whole,
and every line fits."""
from hypothesis import given, settings
from hypothesis import strategies as st
from reportlab.pdfbase.pdfmetrics import stringWidth

from certificate_engine.fonts import MINCHO, register_fonts
from certificate_engine.linebreak import NOT_AT_LINE_END, NOT_AT_LINE_START, wrap
from certificate_engine.render import BODY_SIZE, _wrap


def cells(text: str) -> float:
    """A fixed-pitch width: full-width characters one cell, ASCII half a cell."""
    return sum(0.5 if ch.isascii() else 1.0 for ch in text)


def broken_rules(lines: list[str]) -> list[str]:
    starts = [line for line in lines[1:] if line and line[0] in NOT_AT_LINE_START]
    return starts + [line for line in lines[:-1] if line and line[-1] in NOT_AT_LINE_END]


def test_a_full_stop_is_never_pushed_to_the_next_line():
    # Cut after 18 characters, 「。」 would start the second line; 「す」 goes down with it.
    lines = wrap("上記のとおり相違ないことを証明します。", 18, cells)
    assert lines == ["上記のとおり相違ないことを証明しま", "す。"]
    assert broken_rules(lines) == []


def test_an_opening_bracket_goes_to_the_next_line_with_what_it_opens():
    lines = wrap("地震（令和8年桜ヶ丘地震、令和8年11月20日発生）", 3, cells)
    assert lines[0] == "地震" and lines[1].startswith("（")
    assert broken_rules(lines) == []
    assert "".join(lines) == "地震（令和8年桜ヶ丘地震、令和8年11月20日発生）"


def test_closing_brackets_commas_and_small_kana_stay_on_the_line_before():
    # From the width of the longest run that may not be parted (キーーー。) up.
    for text in ("「カッコ」の中、チョッキーーー。", "提出先（桜ヶ丘町立病院）。以上", "ビル・マンション、アパート"):
        for narrow in range(5, len(text) + 1):
            lines = wrap(text, narrow, cells)
            assert broken_rules(lines) == [], (text, narrow, lines)
            assert "".join(lines) == text


def test_numbers_and_latin_words_stay_whole_and_newlines_start_lines():
    lines = wrap("手数料 12,345円 AB12345678CD\n二行目", 8, cells)
    assert "12,345" in "".join(lines) and any("12,345" in line for line in lines)
    assert any("AB12345678CD" in line for line in lines)
    assert lines[-1] == "二行目"
    assert any("１２，３４５" in line for line in wrap("金額は１２，３４５円です", 6, cells))  # full-width too
    assert wrap("", 10, cells) == [""] and wrap("短い", 10, cells) == ["短い"]


def test_a_unit_wider_than_the_line_is_cut_but_never_before_a_closing_mark():
    url = "http://127.0.0.1:5000/verify?code=7K3M-Q9XD-2HFA"
    lines = wrap(url, 6, cells)
    assert "".join(lines) == url and all(cells(line) <= 6 for line in lines)
    cut = wrap("あ" * 5 + "」" + "い" * 5, 5, cells)  # 「」」 at the cut point: one character less
    assert broken_rules(cut) == [] and "".join(cut) == "あ" * 5 + "」" + "い" * 5


japanese = st.text(alphabet=st.sampled_from(list("住家の被害程度全壊大規模半一部損（）「」、。・ーッャ々12AB ")),
                   min_size=0, max_size=80)


@settings(max_examples=300, deadline=None)
@given(text=japanese, width=st.integers(min_value=2, max_value=30))
def test_every_wrapped_line_fits_keeps_the_text_and_follows_the_rules(text, width):
    lines = wrap(text, width, cells)
    assert all(cells(line) <= width for line in lines)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")
    # A text may itself start with a closing mark; only the breaks this wrapping chose are checked,
    # and only where the width left somewhere allowed to break.
    if not any(ch in NOT_AT_LINE_START + NOT_AT_LINE_END for ch in text[:1] + text[-1:]):
        assert broken_rules(lines) == [] or _no_room(text, width)


def _no_room(text: str, width: int) -> bool:
    """A run of characters that may not be parted longer than the line: the width wins there."""
    run = longest = 0
    for prev, ch in zip(" " + text, text, strict=False):
        run = run + 1 if ch in NOT_AT_LINE_START or prev in NOT_AT_LINE_END else 1
        longest = max(longest, run)
    return longest >= width


def test_the_renderer_wraps_in_the_certificate_font_by_the_rules():
    register_fonts()
    statement = "上記の者は、令和8年桜ヶ丘地震（令和8年11月20日発生）により住家に被害を受けたことを証明します。"
    width = stringWidth(statement[:21], MINCHO, BODY_SIZE)  # 「（」 would end the first line
    lines = _wrap(statement, width)
    assert len(lines) > 1 and broken_rules(lines) == []
    assert all(stringWidth(line, MINCHO, BODY_SIZE) <= width for line in lines)
    assert "".join(lines) == statement
