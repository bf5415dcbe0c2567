"""The collector's desk in a real browser: a whole call, an approval, the wrong party."""

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from amicable.dialer.agents import set_agent_state
from tests.browser.conftest import SCREENSHOTS, sign_in
from tests.integration.portfolio.test_placement_import import import_file

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def ready_alice(agent_alice, creditor_mercy, placement_csv, now, frozen_clock):
    import_file(placement_csv, now - timedelta(days=40))
    set_agent_state(agent_id=agent_alice.pk, state="READY", now=now)
    return agent_alice


def shot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def take_next_and_verify(page, live_server):
    sign_in(page, live_server, "agent_alice")
    page.get_by_role("link", name="Desk").click()
    page.get_by_role("button", name="Next account").click()
    expect(page.get_by_role("heading", name="Dana Whitfield")).to_be_visible()
    expect(page.get_by_test_id("rpc-state")).to_have_text("Identity not verified")
    page.get_by_role("row", name="+15185550134").get_by_role("button", name="Call").click()
    expect(page.get_by_text("Call allowed and recorded")).to_be_visible()


def test_a_whole_call(page, live_server, ready_alice):
    take_next_and_verify(page, live_server)
    shot(page, "desk-1-before-verification")
    page.get_by_label("Date of birth").fill("1980-02-29")
    page.get_by_label("SSN last 4").fill("6789")
    page.get_by_role("button", name="Check identity").click()
    expect(page.get_by_test_id("script-disclosure")).to_contain_text("attempt to collect a debt")
    page.get_by_role("button", name="I have read the disclosure").click()
    expect(page.get_by_test_id("total-balance")).to_have_text("$1,349.99")

    page.get_by_label("Why they fell behind").select_option("JOB_LOSS")
    page.get_by_label("In their words").fill("Laid off in March, new job starts in May")
    page.get_by_label("Take-home income").fill("2400")
    page.get_by_label("Housing (monthly)").fill("1200")
    page.get_by_label("Food (monthly)").fill("500")
    page.get_by_label("Utilities (monthly)").fill("200")
    page.get_by_role("button", name="Save the assessment").click()
    expect(page.get_by_test_id("assessment")).to_contain_text("disposable $500.00/mo")
    shot(page, "desk-2-options")

    plan = page.get_by_test_id("option-plan-monthly").first
    expect(plan).to_contain_text("Within authority")
    plan.get_by_role("button", name="Agree to this").click()
    expect(page.get_by_test_id("arrangement-status").first).to_contain_text("Active")

    page.get_by_label("Amount", exact=True).fill("250.00")
    page.get_by_label("Card number").fill("4242 4242 4242 4242")
    page.get_by_label("Expiry month").fill("12")
    page.get_by_label("Expiry year").fill("2030")
    page.get_by_label("CVC").fill("123")
    page.get_by_role("button", name="Take the payment").click()
    expect(page.get_by_test_id("receipt")).to_contain_text("$250.00")
    shot(page, "desk-3-receipt")
    page.get_by_role("link", name="Back to the call").click()

    page.get_by_label("Outcome").select_option("PROMISE")
    page.get_by_role("button", name="Close the call").click()
    expect(page.get_by_text("Outcome recorded")).to_be_visible()


def test_a_plan_outside_authority_is_approved_by_a_supervisor(
    browser, page, live_server, ready_alice, supervisor_sam
):
    take_next_and_verify(page, live_server)
    page.get_by_label("Date of birth").fill("1980-02-29")
    page.get_by_label("ZIP code").fill("12207")
    page.get_by_role("button", name="Check identity").click()
    page.get_by_role("button", name="I have read the disclosure").click()
    page.get_by_text("A different arrangement").click()
    page.get_by_label("Kind").select_option("SETTLEMENT")
    page.get_by_label("Total to pay").fill("500.00")
    page.get_by_label("First payment on").fill("2026-04-20")
    page.get_by_label("Note for the supervisor").fill("Lost her job; can borrow $500")
    page.get_by_role("button", name="Record the arrangement").click()
    expect(page.get_by_test_id("arrangement-status").first).to_contain_text("Waiting for approval")

    boss = browser.new_context().new_page()
    sign_in(boss, live_server, "supervisor_sam")
    boss.get_by_role("link", name="Approvals").click()
    expect(boss.get_by_text("Lost her job; can borrow $500")).to_be_visible()
    boss.get_by_label("Reason (the agent sees it)").fill("Hardship documented; approved")
    boss.get_by_role("button", name="Decide").click()
    expect(boss.get_by_text("Decision recorded")).to_be_visible()
    shot(boss, "supervisor-approvals")

    page.reload()
    expect(page.get_by_test_id("arrangement-status").first).to_contain_text("Active")
    expect(page.get_by_text("Hardship documented; approved")).to_be_visible()


def test_the_wrong_party_path_never_shows_a_balance(page, live_server, ready_alice):
    take_next_and_verify(page, live_server)
    page.get_by_role("button", name="This is not the person").click()
    expect(page.get_by_test_id("rpc-state")).to_have_text("Not the person")
    expect(page.get_by_test_id("script-limited")).to_contain_text("Please call")
    body = page.content()
    for secret in ("1,250.00", "1,349.99", "Mercy Hospital", "M-1001"):
        assert secret not in body
    shot(page, "desk-wrong-party")
    page.get_by_label("Outcome").select_option("THIRD_PARTY")
    page.get_by_role("button", name="Close the call").click()
    expect(page.get_by_text("Outcome recorded")).to_be_visible()
