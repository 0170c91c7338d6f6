/* Article reader: highlight the annotation named in the URL fragment (#ev-ID, #claim-ID,
 * #aid-ID) and scroll to its evidence. Text segments carry data-ann="ev-1 claim-2 ...". */
(function () {
  "use strict";
  function activate() {
    document.querySelectorAll(".active").forEach(function (n) { n.classList.remove("active"); });
    var key = decodeURIComponent((location.hash || "").slice(1));
    if (!key) return;
    var parts = Array.prototype.filter.call(document.querySelectorAll("[data-ann]"), function (n) {
      return n.getAttribute("data-ann").split(" ").indexOf(key) !== -1;
    });
    parts.forEach(function (n) { n.classList.add("active"); });
    document.querySelectorAll('[data-key]').forEach(function (n) {
      if (n.getAttribute("data-key") === key) n.classList.add("active");
    });
    if (parts.length) parts[0].scrollIntoView({ block: "center" });
  }
  window.addEventListener("hashchange", activate);
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", activate);
  else activate();
})();
