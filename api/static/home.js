// Home overview: reload the overview block every N seconds without reloading the page.
(function () {
  "use strict";
  function refresh() {
    var block = document.getElementById("overview");
    if (!block) return;
    fetch(window.location.href, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
      .then(function (html) {
        var doc = new DOMParser().parseFromString(html, "text/html");
        var fresh = doc.getElementById("overview");
        if (fresh) block.innerHTML = fresh.innerHTML;
      })
      .catch(function () { /* keep the last figures; the "updated at" time shows their age */ });
  }
  document.addEventListener("DOMContentLoaded", function () {
    var block = document.getElementById("overview");
    var seconds = block ? parseInt(block.getAttribute("data-refresh") || "60", 10) : 0;
    if (seconds > 0) window.setInterval(refresh, seconds * 1000);
  });
})();
