// Security keys and passkeys (WebAuthn): the browser side. Progressive enhancement: without this file (no
// JavaScript) the pages say that a key can't be used here and offer the person's other methods.
//
// A form marked data-webauthn="create" (register a key) or "get" (sign in with one) carries the options the server
// made (data-options, JSON with a challenge bound to this setup or sign-in). Its button asks the browser; the
// response goes into the form's hidden "code" field (or "credential" for a passkey sign-in) and the form is sent.
// A passkey sign-in form (data-webauthn="passkey") first fetches its options (data-options-url), and also offers the
// passkeys through the email field's autofill (conditional mediation) when the browser can.
(function () {
  "use strict";
  var supported = !!(window.PublicKeyCredential && PublicKeyCredential.parseCreationOptionsFromJSON &&
                     PublicKeyCredential.parseRequestOptionsFromJSON);
  // Its words come translated in the page, read by portal.js's portalWord (English if that file is missing).
  var portalWord = window.portalWord || function (key, english) { return english; };

  function say(form, text) {
    var status = form.querySelector("[data-webauthn-status]");
    if (status) status.textContent = text;
  }

  function failure(error) {
    if (error && error.name === "NotAllowedError") return portalWord("webauthn_cancelled", "Nothing was used: the request was cancelled or timed out. Try again.");
    if (error && error.name === "InvalidStateError") return portalWord("webauthn_registered", "This key or passkey is registered already. Use another one.");
    if (error && error.name === "SecurityError") return portalWord("webauthn_address", "This address can't use security keys or passkeys. Contact your helpdesk administrator.");
    return portalWord("webauthn_failed", "Your security key or passkey couldn't be used. Try again, or use another method.");
  }

  function send(form, fieldName, credential) {
    form.querySelector("[name='" + fieldName + "']").value = JSON.stringify(credential.toJSON());
    say(form, portalWord("webauthn_checking", "Checking…"));
    form.submit();
  }

  function ask(form, kind, options, fieldName, signal, mediation) {
    var request = kind === "create"
      ? {publicKey: PublicKeyCredential.parseCreationOptionsFromJSON(options)}
      : {publicKey: PublicKeyCredential.parseRequestOptionsFromJSON(options)};
    if (signal) request.signal = signal;
    if (mediation) request.mediation = mediation;
    var call = kind === "create" ? navigator.credentials.create(request) : navigator.credentials.get(request);
    return call.then(function (credential) { if (credential) send(form, fieldName, credential); });
  }

  function setUpForm(form) {
    var kind = form.getAttribute("data-webauthn");
    var button = form.querySelector("[data-webauthn-start]");
    if (kind === "passkey") return setUpPasskey(form, button);
    var options;
    try { options = JSON.parse(form.getAttribute("data-options")); } catch (e) { return; }  // nothing to ask for
    button.hidden = false;
    button.addEventListener("click", function () {
      say(form, kind === "create" ? portalWord("webauthn_register", "Follow your browser to register the key…") : portalWord("webauthn_touch", "Touch your key or confirm on your device…"));
      ask(form, kind, options, "code").catch(function (error) { say(form, failure(error)); });
    });
  }

  function setUpPasskey(form, button) {
    var token = form.querySelector("[name='csrf_token']").value;
    var pending = null;  // the autofill request, aborted when the button is used
    fetch(form.getAttribute("data-options-url"), {method: "POST", credentials: "same-origin",
                                                   headers: {"X-CSRFToken": token}})
      .then(function (response) { if (!response.ok) throw new Error("options"); return response.json(); })
      .then(function (options) {
        button.hidden = false;
        button.addEventListener("click", function () {
          say(form, portalWord("webauthn_choose", "Choose your passkey and confirm it's you…"));
          var waited = pending ? pending.finished : Promise.resolve();
          if (pending) pending.controller.abort();
          waited.then(function () {
            return ask(form, "get", options, "credential");
          }).catch(function (error) { say(form, failure(error)); });
        });
        if (PublicKeyCredential.isConditionalMediationAvailable) {
          PublicKeyCredential.isConditionalMediationAvailable().then(function (available) {
            if (!available) return;
            var controller = new AbortController();
            pending = {controller: controller,
                       finished: ask(form, "get", options, "credential", controller.signal, "conditional")
                         .catch(function () { /* aborted or dismissed: the button still works */ })};
          });
        }
      })
      .catch(function () { say(form, portalWord("webauthn_unavailable", "Passkey sign-in is unavailable right now. Sign in with your password.")); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-webauthn-js-off]").forEach(function (el) { el.hidden = true; });
    if (!supported) {
      document.querySelectorAll("[data-webauthn-unsupported]").forEach(function (el) { el.hidden = false; });
      return;
    }
    document.querySelectorAll("form[data-webauthn]").forEach(setUpForm);
  });
})();
