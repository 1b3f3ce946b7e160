"""Page: the count shown over a list (「940 人中 1–50 件目」), the pages, and a page past the end."""
from app.paging import Page, offset_of


def test_the_count_says_which_rows_of_how_many():
    first = Page(1, 50, 940, list(range(50)), unit="人")
    assert first.summary == "940 人中 1–50 件目" and first.pages == 19
    assert not first.has_previous and first.has_next
    last = Page(19, 50, 940, list(range(40)), unit="人")
    assert last.summary == "940 人中 901–940 件目" and last.has_previous and not last.has_next
    assert offset_of(19, 50) == 900


def test_an_empty_list_has_one_empty_page():
    empty = Page(1, 50, 0, [])
    assert empty.pages == 1 and empty.summary == "0 件" and not empty.has_next and not empty.is_past_end


def test_a_page_past_the_end_names_the_pages_and_leads_back_to_the_last():
    past = Page(30, 50, 940, [], unit="人")
    assert past.is_past_end and past.previous_number == 19
    assert past.summary == "940 人（このページはありません。1–19 ページ）"
