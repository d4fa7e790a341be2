// The invitations page: copy the new sign-up link (button or C), N focuses the email field.
(function () {
  "use strict";

  var link = document.getElementById("invite-link");
  var copyButton = document.getElementById("copy-link");
  var status = document.getElementById("copy-status");
  var email = document.getElementById("email");

  function said(text) {
    if (status) {
      status.textContent = text;
    }
  }

  function copyLink() {
    if (!link) {
      return;
    }
    link.focus();
    link.select();
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(link.value).then(
        function () { said("Copied to the clipboard."); },
        function () { said("Press Ctrl+C to copy the selected link."); }
      );
      return;
    }
    var copied = false;
    try {
      copied = document.execCommand("copy");
    } catch (error) {
      copied = false;
    }
    said(copied ? "Copied to the clipboard." : "Press Ctrl+C to copy the selected link.");
  }

  function typing(target) {
    if (!target || target.readOnly) {
      return false;
    }
    return target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName);
  }

  if (copyButton) {
    copyButton.addEventListener("click", copyLink);
  }
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) {
      return;
    }
    var key = event.key.toLowerCase();
    if (key === "n" && email) {
      event.preventDefault();
      email.focus();
    } else if (key === "c" && link) {
      event.preventDefault();
      copyLink();
    }
  });
})();
