"""The Twilio softphone in a real browser. Twilio cannot be reached from tests, so one test
checks that the vendored Voice SDK loads and offers what softphone.js uses, and the other
replaces the SDK with a stand-in that follows its documented interface (Device: on, register,
updateToken; Call: accept, mute, isMuted, disconnect) to drive our page: connect with a token
from our server, auto-answer the dialer's call, mute, hang up, renew the token."""

import pytest
from playwright.sync_api import expect

from amicable.identity.models import AuditEvent
from tests.browser.conftest import SCREENSHOTS, sign_in
from tests.functional.test_softphone import token_claims, twilio_configured  # noqa: F401
from tests.integration.dialer.dialer_world import people, ready_agents, running_campaign

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("twilio_configured"),
]

STAND_IN_SDK = """
window.Twilio = { Device: function (token, options) {
  var device = this;
  window.fakeDevice = device;
  device.token = token; device.options = options; device.handlers = {};
  device.on = function (name, handler) { device.handlers[name] = handler; };
  device.register = function () {
    setTimeout(function () { device.handlers.registered(); }, 10); return Promise.resolve();
  };
  device.updateToken = function (fresh) { device.token = fresh; device.renewed = true; };
}};
window.makeCall = function () {
  var call = { handlers: {}, muted: false, accepted: false };
  call.on = function (name, handler) { call.handlers[name] = handler; };
  call.accept = function () { call.accepted = true; };
  call.mute = function (muted) { call.muted = muted; };
  call.isMuted = function () { return call.muted; };
  call.disconnect = function () { call.handlers.disconnect(); };
  window.fakeCall = call;
  return call;
};
"""


def test_the_vendored_voice_sdk_loads(page, live_server, agent_alice):
    sign_in(page, live_server, "agent_alice")
    page.goto(f"{live_server.url}/desk/softphone/")

    offers = page.evaluate(
        "() => typeof Twilio.Device === 'function'"
        " && ['register', 'on', 'updateToken'].every("
        "     name => typeof Twilio.Device.prototype[name] === 'function')"
    )

    assert offers


def test_an_agent_takes_the_dialers_call_in_the_softphone(
    page, live_server, agent_alice, creditor_mercy, now, frozen_clock
):
    people(1)
    campaign = running_campaign(now=now)
    ready_agents(campaign, [agent_alice], now=now)
    page.route(
        "**/twilio.min.js",
        lambda route: route.fulfill(body=STAND_IN_SDK, content_type="text/javascript"),
    )
    sign_in(page, live_server, "agent_alice")
    page.get_by_role("link", name="Desk").click()
    expect(page.get_by_test_id("open-softphone")).to_be_visible()
    page.goto(f"{live_server.url}/desk/softphone/")

    page.get_by_role("button", name="Connect").click()
    expect(page.get_by_test_id("softphone-state")).to_have_text("Ready")
    token = page.evaluate("() => window.fakeDevice.token")
    assert token_claims(token)["grants"]["identity"] == f"agent-{agent_alice.pk}"

    page.evaluate("() => window.fakeDevice.handlers.incoming(window.makeCall())")
    expect(page.get_by_test_id("softphone-state")).to_have_text("On a call")
    assert page.evaluate("() => window.fakeCall.accepted")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "softphone.png"), full_page=True)

    page.get_by_role("button", name="Mute").click()
    assert page.evaluate("() => window.fakeCall.muted")
    expect(page.get_by_role("button", name="Unmute")).to_be_visible()
    page.get_by_role("button", name="Hang up").click()
    expect(page.get_by_test_id("softphone-state")).to_have_text("Ready")
    expect(page.get_by_test_id("softphone-message")).to_contain_text("Call ended")

    page.evaluate("() => window.fakeDevice.handlers.tokenWillExpire()")
    page.wait_for_function("() => window.fakeDevice.renewed === true")
    assert AuditEvent.objects.filter(action="softphone.token_issued").count() == 2
