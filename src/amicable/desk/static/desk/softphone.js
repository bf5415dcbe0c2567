/* The agent's softphone: a Twilio Voice SDK Device registered as this agent, so that the
 * dialer's <Dial><Client>agent-N</Client></Dial> reaches this window.
 *
 * Why a separate window: the desk navigates to the call screen when a person answers, and a
 * Device in a page that navigates is destroyed with the call. Why auto-answer: the dialer only
 * bridges a person to an agent who is Ready, and a person must not wait (2 s, then abandoned).
 * The token comes from our server (POST with the CSRF token) and is renewed before it expires.
 */
(function () {
  "use strict";
  var panel = document.getElementById("softphone");
  if (!panel) { return; }
  var stateBadge = document.getElementById("softphone-state");
  var message = document.getElementById("softphone-message");
  var connectButton = document.getElementById("softphone-connect");
  var muteButton = document.getElementById("softphone-mute");
  var hangupButton = document.getElementById("softphone-hangup");
  var device = null;
  var call = null;

  function show(state, kind, text) {
    stateBadge.textContent = state;
    stateBadge.className = "badge " + kind;
    message.textContent = text;
  }

  function fetchToken() {
    return fetch(panel.dataset.tokenUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": panel.dataset.csrfToken, "Accept": "application/json" }
    }).then(function (response) {
      if (!response.ok) { throw new Error("the server refused a token (HTTP " + response.status + ")"); }
      return response.json();
    }).then(function (body) { return body.token; });
  }

  function onCallEnded() {
    call = null;
    muteButton.disabled = true;
    muteButton.textContent = "Mute";
    hangupButton.disabled = true;
    show("Ready", "ok", "Call ended. Record its outcome on the desk; the next call comes here.");
  }

  function takeCall(incoming) {
    call = incoming;
    call.on("disconnect", onCallEnded);
    call.on("cancel", onCallEnded);
    call.on("error", function (error) {
      show("Call error", "bad", "The call failed: " + (error.message || error));
    });
    call.accept();
    muteButton.disabled = false;
    hangupButton.disabled = false;
    show("On a call", "warn", "Connected. The account is open on the desk.");
  }

  function connect() {
    if (typeof Twilio === "undefined" || !Twilio.Device) {
      show("Unavailable", "bad", "The Twilio Voice SDK did not load.");
      return;
    }
    connectButton.disabled = true;
    show("Connecting", "info", "Connecting to Twilio…");
    fetchToken().then(function (token) {
      device = new Twilio.Device(token, { closeProtection: true, codecPreferences: ["opus", "pcmu"] });
      device.on("registered", function () {
        show("Ready", "ok", "Connected. Calls the dialer puts through to you are answered here.");
      });
      device.on("unregistered", function () {
        show("Not connected", "warn", "Disconnected from Twilio. Press Connect to take calls again.");
        connectButton.disabled = false;
      });
      device.on("error", function (error) {
        show("Error", "bad", "Twilio reported an error: " + (error.message || error));
        connectButton.disabled = false;
      });
      device.on("incoming", takeCall);
      device.on("tokenWillExpire", function () {
        fetchToken().then(function (fresh) { device.updateToken(fresh); }).catch(function (error) {
          show("Error", "bad", "Could not renew the token: " + error.message);
        });
      });
      return device.register();
    }).catch(function (error) {
      show("Error", "bad", "Could not connect: " + error.message);
      connectButton.disabled = false;
    });
  }

  connectButton.addEventListener("click", connect);
  muteButton.addEventListener("click", function () {
    if (!call) { return; }
    var muted = !call.isMuted();
    call.mute(muted);
    muteButton.textContent = muted ? "Unmute" : "Mute";
  });
  hangupButton.addEventListener("click", function () {
    if (call) { call.disconnect(); }
  });
})();
