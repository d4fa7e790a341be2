// The project page's export jobs: while one is queued or running (the table's box carries
// data-live, the URL of the table alone), fetch the table every two seconds and put it in
// place of the old one, so a lead sees the items read so far and the download link appear
// without reloading the page (and without losing what they typed in the export form). Stops
// once no job is queued or running, or when the server does not answer with the table.
(function () {
  "use strict";

  var EVERY_MS = 2000;

  function follow() {
    var box = document.getElementById("export-jobs-box");
    var url = box && box.dataset.live;
    if (!url) {
      return;
    }
    window.setTimeout(function () {
      fetch(url, { credentials: "same-origin", headers: { Accept: "text/html" } })
        .then(function (response) {
          return response.ok ? response.text() : "";
        })
        .then(function (html) {
          var fresh = html && new DOMParser().parseFromString(html, "text/html").getElementById("export-jobs-box");
          if (fresh) {
            box.replaceWith(fresh);
            follow();
          }
        })
        .catch(function () {
          follow();  // the server could not be reached: try again later
        });
    }, EVERY_MS);
  }

  follow();
})();
