// What the pages that talk to the JSON API share, on window.expertloopApi: POST with the
// session cookie and its CSRF token, the problem body of a refused request, the status line next
// to a form, and localStorage drafts that never throw (storage may be full or disabled).
// Loaded before the page's own script (workbench.js, assessment.js).
(function () {
  "use strict";

  function csrfToken() {
    const meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.content : "";
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
  };
})();
