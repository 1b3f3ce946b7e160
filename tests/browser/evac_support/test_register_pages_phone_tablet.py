"""The 要支援者名簿 screen on a phone (390×844) and a tablet (1024×768): the search form comes before
the rows, the count says which of how many are shown, 次へ and the page-number form move through the
register keeping the filter, and the printed page carries 取扱注意, the department, the 和暦 date and
「n / N ページ」 (the PDF read back with pdftotext). Screenshots go to test-artifacts/."""
import re
import subprocess

from playwright.sync_api import expect

from app.clock import format_date, today_in_japan
from tests.helpers.browser import login
from tests.helpers.paths import ARTIFACTS


def test_the_register_pages_with_its_search_above_the_rows(live_server, sized_page):
    page, base = sized_page, live_server.url
    login(page, base, "046990", "fukushi")
    page.goto(base + "/evac-support")
    page.click("#refresh")
    page.wait_for_load_state("networkidle")
    search, first_row = page.locator("#register-search"), page.locator("#evac-table tbody tr").first
    expect(first_row).to_be_visible()
    assert search.bounding_box()["y"] < first_row.bounding_box()["y"]
    assert search.bounding_box()["y"] < page.viewport_size["height"]  # no scrolling to reach the search
    count = page.locator("#register-pager .pager-count")
    expect(count).to_contain_text("人中 1–50 件目")
    total = int(re.match(r"(\d+) 人中", count.inner_text()).group(1))
    assert total > 50
    page.screenshot(path=str(ARTIFACTS / f"evac-register-{page.size}.png"), full_page=False)
    page.locator("#register-pager a[rel=next]").click()
    expect(count).to_contain_text(f"{total} 人中 51–{min(total, 100)} 件目")
    page.select_option("#consent", "未回答")
    page.click("#register-search-submit")
    page.wait_for_load_state("networkidle")
    assert "consent=" in page.url and "page=" not in page.url  # a new search starts at its first page
    unanswered = int(re.match(r"(\d+) 人", count.inner_text()).group(1))
    if unanswered > 50:
        page.locator("#register-pager a[rel=next]").click()
        page.wait_for_load_state("networkidle")
        assert "consent=" in page.url and "page=2" in page.url
    page.screenshot(path=str(ARTIFACTS / f"evac-register-filtered-{page.size}.png"), full_page=True)
    assert page.console_errors == []


def test_the_printed_register_is_marked_on_every_page(live_server, page, tmp_path):
    base = live_server.url
    login(page, base, "046990", "fukushi")
    page.goto(base + "/evac-support")
    page.click("#refresh")
    page.wait_for_load_state("networkidle")
    pdf = tmp_path / "register.pdf"
    page.pdf(path=str(pdf), format="A4")
    (ARTIFACTS / "evac-register-print.pdf").write_bytes(pdf.read_bytes())
    pages = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                           check=True).stdout.split("\f")
    pages = [p for p in pages if p.strip()]
    assert len(pages) >= 2
    for number, text in enumerate(pages, start=1):
        flat = "".join(text.split())
        assert "取扱注意（個人情報）" in flat, number
        assert "宮城県桜ヶ丘町福祉課（庁内）" in flat, number
        assert f"{format_date(today_in_japan())}出力" in flat, number
        assert f"{number}/{len(pages)}ページ" in flat, number
