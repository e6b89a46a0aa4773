// Progressive enhancement only: every page works without this file.
document.addEventListener("DOMContentLoaded", function () {
  // A copy button next to each setup key.
  document.querySelectorAll("[data-copy]").forEach(function (el) {
    if (!navigator.clipboard) return;
    var button = document.createElement("button");
    button.type = "button";
    button.className = "button copy-button";
    button.textContent = "Copy key";
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(el.textContent.replace(/\s+/g, "")).then(function () {
        button.textContent = "Copied";
      });
    });
    el.insertAdjacentElement("afterend", button);
  });
  // Put the cursor in the code field of a challenge or setup step.
  var code = document.querySelector("input[autocomplete='one-time-code']");
  if (code && !document.querySelector("[autofocus]")) code.focus();
});
