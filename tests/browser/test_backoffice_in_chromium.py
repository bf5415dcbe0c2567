"""Sign in, import a small file, search, open the account — in a real browser."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import SCREENSHOTS, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_import_search_and_open_an_account(
    page, live_server, supervisor_sam, creditor_mercy, placement_csv
):
    sign_in(page, live_server, "supervisor_sam")
    expect(page.get_by_role("searchbox", name="Search accounts")).to_be_visible()

    page.get_by_role("link", name="Imports").click()
    page.get_by_label("Creditor").select_option("mercy")
    page.get_by_label("File (CSV or XLSX)").set_input_files(str(placement_csv))
    page.get_by_role("button", name="Import").click()

    expect(page.get_by_text("Completed")).to_be_visible()
    expect(page.get_by_test_id("rejected-count")).to_have_text("1")
    expect(page.get_by_role("cell", name="M-1004")).to_be_visible()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "import-report.png"), full_page=True)

    page.get_by_role("link", name="Accounts").click()
    page.get_by_role("searchbox", name="Search accounts").fill("garcia")
    result = page.get_by_role("link", name="Luis García")
    expect(result).to_be_visible()
    page.screenshot(path=str(SCREENSHOTS / "account-search.png"))
    result.click()

    expect(page.get_by_role("heading", name="Luis García")).to_be_visible()
    expect(page.get_by_text("$80.25").first).to_be_visible()
    expect(page.get_by_text("+12125550187")).to_be_visible()
    page.screenshot(path=str(SCREENSHOTS / "account-detail.png"), full_page=True)
