// What the pages that talk to the JSON API or work by keyboard share, on window.expertloopApi:
// POST with the session cookie and its CSRF token, the problem body of a refused request, the
// status line next to a form, localStorage drafts that never throw (storage may be full or
// disabled), and the keys every keyboard form shares. Loaded before the page's own script
// (workbench.js, assessment.js, review.js, adjudicate.js).
(function () {
  "use strict";

  function csrfToken() {
    const meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.content : "";
  }

  // Whether a key pressed in target types into it (a text box, a select, editable content).
  function isTyping(target) {
    if (!target || !target.tagName) return false;
    if (target.isContentEditable || target.tagName === "TEXTAREA" || target.tagName === "SELECT") return true;
    return target.tagName === "INPUT" && !["radio", "checkbox", "button", "submit", "hidden"].includes(target.type);
  }

  window.expertloopApi = {
    // POST body as JSON; the promise rejects only when the server cannot be reached.
    post(url, body) {
      return fetch(url, {
        method: "POST",
        credentials: "same-origin",
        headers: {
          "Content-Type": "application/json",
          "Accept": "application/json",
          "X-CSRF-Token": csrfToken(),
        },
        body: JSON.stringify(body || {}),
      });
    },

    // The {code, message, errors?} body of a refused request, or one made from its status.
    async problemOf(response) {
      try {
        return await response.json();
      } catch (_) {
        return { code: "http." + response.status, message: "The server answered " + response.status + "." };
      }
    },

    // Show text in a notice box, with an optional list of details; tone "pending", "ok" or "error".
    showStatus(box, text, tone, details) {
      box.hidden = false;
      box.className = "notice " + (tone || "");
      box.replaceChildren();
      const head = document.createElement("p");
      head.textContent = text;
      box.append(head);
      if (details && details.length) {
        const list = document.createElement("ul");
        for (const line of details) {
          const li = document.createElement("li");
          li.textContent = line;
          list.append(li);
        }
        box.append(list);
      }
    },

    loadDraft(key) {
      try {
        return JSON.parse(localStorage.getItem(key) || "null");
      } catch (_) {
        return null;
      }
    },

    saveDraft(key, draft) {
      try {
        localStorage.setItem(key, JSON.stringify(draft));
      } catch (_) {
        // The text stays in the page.
      }
    },

    clearDraft(key) {
      try {
        localStorage.removeItem(key);
      } catch (_) {
        // Nothing to do.
      }
    },

    isTyping,

    // The keys every keyboard form shares, for a keydown listener: Enter calls submit() (not on a
    // button or link, nor where Enter types: any text box, or only those typesEnter(target)
    // accepts; Ctrl+Enter submits from those too), Esc leaves a text box. Returns the key in
    // lower case for the page's own shortcuts, or "" when it was handled here, is typed, or
    // comes with a modifier.
    formKey(event, submit, typesEnter) {
      if (event.defaultPrevented || event.altKey || event.metaKey || event.isComposing) return "";
      const typing = isTyping(event.target);
      if (event.key === "Enter") {
        const typed = typing && (!typesEnter || typesEnter(event.target));
        if (typed && !event.ctrlKey) return ""; // a newline, or the browser's own Enter
        if (!typing && ["BUTTON", "A", "SUMMARY"].includes(event.target.tagName)) return "";
        event.preventDefault();
        submit();
        return "";
      }
      if (event.key === "Escape" && typing) {
        event.target.blur();
        return "";
      }
      if (typing || event.ctrlKey) return "";
      return event.key.toLowerCase();
    },

    // Check (or toggle) the option of form whose data-key is key, telling the form it changed;
    // the option, or null when no option shows that key.
    chooseKey(form, key) {
      if (!/^[a-z0-9]$/.test(key)) return null;
      const input = Array.from(form.elements).find((el) => el.dataset && el.dataset.key === key);
      if (!input) return null;
      input.checked = input.type === "checkbox" ? !input.checked : true;
      input.dispatchEvent(new Event("change", { bubbles: true }));
      return input;
    },
  };
})();
