// Progressive enhancement only: every page works without this file (no inline script: the CSP forbids it).
// The words shown come translated in the page, in the data-words attribute of the element a script works on
// (portal/script_words.py); English where there are none.
function portalWord(key, english) {
  var found = english;
  document.querySelectorAll("[data-words]").forEach(function (el) {
    try { found = JSON.parse(el.getAttribute("data-words"))[key] || found; } catch (e) { /* keep English */ }
  });
  return found;
}

document.addEventListener("DOMContentLoaded", function () {
  // A "Copy key" button after each setup key; what happened is read out through a polite live region.
  document.querySelectorAll("[data-copy]").forEach(function (el) {
    if (!navigator.clipboard || !window.isSecureContext) return;
    var button = document.createElement("button");
    var said = document.createElement("span");
    button.type = "button";
    button.className = "button button-small copy-button";
    button.textContent = portalWord("copy_key", "Copy key");
    said.className = "copy-status";
    said.setAttribute("role", "status");
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(el.textContent.replace(/\s+/g, "")).then(function () {
        said.textContent = portalWord("key_copied", "Key copied. Paste it into your authenticator app.");
      }, function () {
        said.textContent = portalWord("copy_failed", "Couldn't copy. Select the key and copy it yourself.");
      });
    });
    el.insertAdjacentElement("afterend", said);
    el.insertAdjacentElement("afterend", button);
  });

  // On a phone a table row is shown as a small card: each cell gets its column's name to show before it.
  document.querySelectorAll("table").forEach(function (table) {
    var names = Array.prototype.map.call(table.querySelectorAll("thead th"), function (th) {
      var shown = th.cloneNode(true);  // a column whose name is for screen readers only shows no name
      shown.querySelectorAll(".visually-hidden").forEach(function (el) { el.remove(); });
      return shown.textContent.trim();
    });
    table.querySelectorAll("tbody tr").forEach(function (row) {
      Array.prototype.forEach.call(row.children, function (cell, i) {
        if (!cell.hasAttribute("data-label") && names[i]) cell.setAttribute("data-label", names[i]);
      });
    });
  });

  // Put the cursor in the code field of a challenge or a setup step, unless the page already focused
  // something (an error summary, a field with autofocus). On a phone, where the setup key is typed rather
  // than scanned, a setup page keeps its keyboard closed until the person taps the field.
  var code = document.querySelector("input[autocomplete='one-time-code']");
  var active = document.activeElement;
  var setupPage = document.querySelector(".steps");
  var narrow = window.matchMedia && window.matchMedia("(max-width: 600px)").matches;
  if (code && (!active || active === document.body) && !document.querySelector("[autofocus]") &&
      !(setupPage && narrow)) {
    code.focus({ preventScroll: !!setupPage });
  }
});

// The mandatory 2FA setup step: with JavaScript it becomes a pop-up (a modal <dialog>) over the
// console; without it, the same step is an ordinary page. A mandatory step can't be dismissed with Escape.
document.addEventListener("DOMContentLoaded", function () {
  var step = document.querySelector("[data-setup-modal]");
  if (!step || typeof HTMLDialogElement !== "function") return;
  var dialog = document.createElement("dialog");
  dialog.className = "card modal setup-dialog";
  dialog.setAttribute("aria-labelledby", step.getAttribute("aria-labelledby"));
  step.classList.remove("card", "modal");
  step.removeAttribute("role");  // the <dialog> is the dialog now
  step.parentNode.insertBefore(dialog, step);
  dialog.appendChild(step);
  var behind = document.querySelector("[data-setup-behind]");
  if (behind) {
    behind.hidden = false;
    behind.classList.add("modal-backdrop");
    behind.parentNode.classList.add("page-modal");
  }
  dialog.addEventListener("cancel", function (event) { event.preventDefault(); });
  dialog.addEventListener("close", function () { dialog.showModal(); });  // a browser may close it anyway
  dialog.showModal();
  var code = dialog.querySelector("input[autocomplete='one-time-code']");
  if (code && !(window.matchMedia && window.matchMedia("(max-width: 600px)").matches)) {
    code.focus({ preventScroll: true });  // ready to type, with the title and the QR code in view
  }
  dialog.scrollTop = 0;
});
