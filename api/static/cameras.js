// Camera list: the header checkbox selects every camera of the page.
document.addEventListener("DOMContentLoaded", function () {
  "use strict";
  var all = document.getElementById("select-all");
  if (!all) return;
  all.addEventListener("change", function () {
    document.querySelectorAll("input.pick").forEach(function (box) { box.checked = all.checked; });
  });
});
