"""Live dialing in a real browser: a supervisor creates and starts a campaign, an agent
joins and waits, the dialer (the simulated provider, ticked by the test) connects a person
who answered, and the agent's desk pops the account."""

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from amicable.dialer.models import DialerCall
from amicable.portfolio.models import ContactPoint
from tests.browser.conftest import SCREENSHOTS, sign_in
from tests.integration.dialer.dialer_world import loop_for, world_scenario
from tests.integration.portfolio.test_placement_import import import_file

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_campaign_connects_a_call_to_the_waiting_agent(
    browser,
    page,
    live_server,
    agent_alice,
    supervisor_sam,
    creditor_mercy,
    placement_csv,
    now,
    frozen_clock,
):
    import_file(placement_csv, now - timedelta(days=40))
    # Landlines: autodialed calls to them need no prior consent (TCPA).
    ContactPoint.objects.filter(kind="PHONE").update(phone_type="LANDLINE")

    boss = browser.new_context().new_page()
    sign_in(boss, live_server, "supervisor_sam")
    boss.get_by_role("link", name="Campaigns").click()
    boss.get_by_role("link", name="New campaign").click()
    boss.get_by_label("Name").fill("Mercy spring")
    boss.get_by_label("Mode").select_option("PROGRESSIVE")
    boss.get_by_label("Creditors").select_option("mercy")
    boss.get_by_role("button", name="Create campaign").click()
    boss.get_by_role("button", name="Start").click()
    expect(boss.get_by_text("Running").first).to_be_visible()

    sign_in(page, live_server, "agent_alice")
    page.get_by_role("link", name="Desk").click()
    page.get_by_role("button", name="Join Mercy spring").click()
    page.get_by_role("button", name="Ready").click()
    expect(page.get_by_test_id("dialer-waiting")).to_contain_text("Waiting for a call")

    loop, _ = loop_for(world_scenario(outcome="live", ring=3.0))
    for second in range(8):
        loop.tick(now=now + timedelta(seconds=second))
    assert DialerCall.objects.filter(connected_agent=agent_alice).exists()

    page.wait_for_url("**/desk/calls/**", timeout=15000)
    expect(page.get_by_test_id("rpc-state")).to_have_text("Identity not verified")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "dialer-screen-pop.png"), full_page=True)

    boss.reload()
    expect(boss.get_by_text("Mercy spring")).to_be_visible()
    boss.screenshot(path=str(SCREENSHOTS / "supervisor-campaigns.png"), full_page=True)
