/* Sortable columns: click a column header to sort the rows of this page by it (again to
 * reverse). Numbers, money ("$1.4 bn") and dates sort as such; text sorts in French order.
 * Data never becomes HTML here: rows are only moved. */
(function () {
  "use strict";
  var UNITS = { k: 1e3, M: 1e6, bn: 1e9, tn: 1e12 };

  function key(cell) {
    var t = (cell.textContent || "").replace(/\u00a0/g, " ").trim();
    if (/^\d{4}(-\d{2}){0,2}$/.test(t)) return { n: null, s: t };
    var m = t.match(/^[^\d-]*(-?[\d\s.,]+)\s*(k|M|bn|tn)?\b/);
    if (m) {
      var v = parseFloat(m[1].replace(/[\s,]/g, ""));
      if (!isNaN(v)) return { n: v * (UNITS[m[2]] || 1), s: t };
    }
    return { n: null, s: t.toLocaleLowerCase("fr") };
  }

  function sortBy(table, index, th) {
    var body = table.tBodies[0];
    if (!body) return;
    var dir = th.getAttribute("aria-sort") === "ascending" ? -1 : 1;
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (c) { c.removeAttribute("aria-sort"); });
    th.setAttribute("aria-sort", dir === 1 ? "ascending" : "descending");
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var ka = key(a.cells[index] || a), kb = key(b.cells[index] || b);
      if (ka.n !== null && kb.n !== null) return (ka.n - kb.n) * dir;
      return ka.s.localeCompare(kb.s, "fr") * dir;
    });
    rows.forEach(function (r) { body.appendChild(r); });
  }

  function boot() {
    Array.prototype.forEach.call(document.querySelectorAll("main table"), function (table) {
      if (!table.tHead || !table.tHead.rows.length || !table.tBodies.length) return;
      Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, i) {
        th.classList.add("sortable");
        th.setAttribute("tabindex", "0");
        th.title = "Sort by this column";
        th.addEventListener("click", function () { sortBy(table, i, th); });
        th.addEventListener("keydown", function (e) { if (e.key === "Enter") sortBy(table, i, th); });
      });
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", boot);
  else boot();
})();
