/* Veille charts: plain SVG, no library, no network beyond this app.
 * Every string that comes from data is set with textContent, never as HTML.
 * Charts are declared in the page as <div data-chart="timeline" data-source="ID">,
 * where ID names a <script type="application/json"> element holding the data. */
(function () {
  "use strict";
  var SVG = "http://www.w3.org/2000/svg";
  var TYPE_COLORS = {
    ASSAULT: "#d1495b", COERCE: "#edae49", MOBILIZE: "#8d6a9f", THREATEN: "#f08a5d",
    PROTEST: "#b56576", SANCTION: "#6d597a", ACCUSE: "#e07a5f", REJECT: "#9e2a2b",
    REQUEST: "#3d5a80", RETREAT: "#98c1d9", AID: "#2a9d8f", COOPERATE: "#00798c",
    CONCEDE: "#90be6d", SUPPORT: "#43aa8b", CONSULT: "#577590", AGREE: "#277da1"
  };
  var STATUS_COLORS = {
    delivered: "#2a9d8f", committed: "#277da1", approved: "#43aa8b", announced: "#577590",
    promised: "#90be6d", planned: "#edae49", negotiating: "#f08a5d", suspended: "#d1495b",
    unknown: "#9aa5b1"
  };
  var FALLBACK = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1"];

  function colorFor(map, key) {
    if (map[key]) return map[key];
    var h = 0;
    for (var i = 0; i < String(key).length; i++) h = (h * 31 + String(key).charCodeAt(i)) >>> 0;
    return FALLBACK[h % FALLBACK.length];
  }

  function el(name, attrs, parent) {
    var node = document.createElementNS(SVG, name);
    for (var k in attrs) if (Object.prototype.hasOwnProperty.call(attrs, k)) node.setAttribute(k, attrs[k]);
    if (parent) parent.appendChild(node);
    return node;
  }

  function text(parent, x, y, value, attrs) {
    var t = el("text", Object.assign({ x: x, y: y, "font-size": 11, fill: "#5f6b7a" }, attrs || {}), parent);
    t.textContent = value;
    return t;
  }

  function tip(node, value) {
    var t = el("title", {}, node);
    t.textContent = value;
  }

  function readJSON(id) {
    var node = document.getElementById(id);
    if (!node) return null;
    try { return JSON.parse(node.textContent); } catch (e) { return null; }
  }

  function empty(container, message) {
    var p = document.createElement("p");
    p.className = "empty";
    p.textContent = message;
    container.appendChild(p);
  }

  function legend(container, keys, colors) {
    var box = document.createElement("div");
    box.className = "legend";
    keys.forEach(function (k) {
      var s = document.createElement("span");
      var i = document.createElement("i");
      i.style.background = colorFor(colors, k);
      s.appendChild(i);
      s.appendChild(document.createTextNode(k));
      box.appendChild(s);
    });
    container.appendChild(box);
  }

  function fmtMoney(v) {
    if (v === null || v === undefined) return "–";
    var a = Math.abs(v);
    if (a >= 1e9) return "$" + (v / 1e9).toFixed(a >= 1e10 ? 0 : 1) + " bn";
    if (a >= 1e6) return "$" + (v / 1e6).toFixed(a >= 1e7 ? 0 : 1) + " M";
    if (a >= 1e3) return "$" + (v / 1e3).toFixed(0) + " k";
    return "$" + Math.round(v);
  }

  function monthKey(day) { return day.slice(0, 7); }

  function nextMonth(key) {
    var y = +key.slice(0, 4), m = +key.slice(5, 7) + 1;
    if (m > 12) { m = 1; y += 1; }
    return String(y).padStart(4, "0") + "-" + String(m).padStart(2, "0");
  }

  /* Every bin from first to last, none skipped, so the x axis is to scale. */
  function allBins(first, last, unit) {
    var out = [];
    if (unit === "month") {
      for (var k = monthKey(first); k <= monthKey(last); k = nextMonth(k)) out.push(k);
      return out;
    }
    var a = new Date(first + "T00:00:00Z"), b = new Date(last + "T00:00:00Z");
    for (var t = a.getTime(); t <= b.getTime(); t += 864e5) out.push(new Date(t).toISOString().slice(0, 10));
    return out;
  }

  /* Stacked bars per day or per month, to scale:
   * rows [{day: "2023-10-04", period: "2023-10-04"|"2023-10", precision: "day"|"month", type, count}].
   * Month-only items are plotted by month: when any item is known only to the month, or the
   * range is longer than four months, every bin is a month. Undated items are counted in
   * the note below the chart (data-undated on the container). */
  function timeline(container, rows) {
    container.setAttribute("data-rendered", "timeline");
    var undated = +(container.getAttribute("data-undated") || 0);
    var noun = container.getAttribute("data-noun") || "events";
    function note() {
      if (!undated) return;
      var p = document.createElement("p");
      p.className = "note undated";
      p.textContent = undated + " undated " + noun + " (no day or month known) are not shown.";
      container.appendChild(p);
    }
    if (!rows || !rows.length) { empty(container, "No dated " + noun + " yet."); return note(); }
    var days = rows.map(function (r) { return r.day; }).sort();
    var first = days[0], last = days[days.length - 1];
    var spanDays = (new Date(last + "T00:00:00Z") - new Date(first + "T00:00:00Z")) / 864e5;
    var hasMonth = rows.some(function (r) { return r.precision === "month"; });
    var unit = hasMonth || spanDays > 120 ? "month" : "day";
    var bins = {}, types = {};
    rows.forEach(function (r) {
      var key = unit === "month" ? monthKey(r.day) : r.day;
      bins[key] = bins[key] || {};
      bins[key][r.type] = (bins[key][r.type] || 0) + r.count;
      types[r.type] = (types[r.type] || 0) + r.count;
    });
    var keys = allBins(first, last, unit);
    var typeKeys = Object.keys(types).sort(function (a, b) { return types[b] - types[a]; });
    var max = 1;
    keys.forEach(function (k) {
      var s = 0, v = bins[k] || {};
      for (var t in v) s += v[t];
      if (s > max) max = s;
    });
    var W = Math.max(320, container.clientWidth || 760), H = 240, L = 34, B = 28, T = 8, R = 8;
    var svg = el("svg", {
      viewBox: "0 0 " + W + " " + H, class: "chart", role: "img",
      "aria-label": "Timeline by " + unit, "data-unit": unit
    }, container);
    var bw = (W - L - R) / keys.length;
    var y = function (v) { return H - B - (v / max) * (H - B - T); };
    for (var g = 0; g <= 4; g++) {
      var gv = Math.round((max * g) / 4);
      el("line", { x1: L, x2: W - R, y1: y(gv), y2: y(gv), stroke: "#e1e4ea" }, svg);
      text(svg, L - 4, y(gv) + 4, String(gv), { "text-anchor": "end" });
    }
    var step = Math.max(1, Math.ceil(keys.length / 8));
    keys.forEach(function (key, i) {
      var x = L + i * bw, acc = 0, v = bins[key] || {};
      typeKeys.forEach(function (t) {
        if (!v[t]) return;
        var r = el("rect", {
          x: x + bw * 0.1, width: Math.max(1, bw * 0.8), y: y(acc + v[t]), height: y(acc) - y(acc + v[t]),
          fill: colorFor(TYPE_COLORS, t), class: "bar", "data-day": key, "data-period": key, "data-type": t
        }, svg);
        tip(r, key + " · " + t + ": " + v[t]);
        acc += v[t];
      });
      if (i % step === 0) text(svg, x + bw / 2, H - B + 16, key, { "text-anchor": "middle" });
    });
    legend(container, typeKeys, TYPE_COLORS);
    var cap = document.createElement("p");
    cap.className = "note";
    cap.textContent = "One bar per " + unit + " from " + keys[0] + " to " + keys[keys.length - 1] +
      " (to scale)" + (hasMonth ? "; items known only to the month are counted in their month." : ".");
    container.appendChild(cap);
    note();
  }

  /* Horizontal stacked bars: rows [{donor, status, usd, count}] -> one bar per donor */
  function aidBars(container, rows) {
    container.setAttribute("data-rendered", "aid");
    rows = (rows || []).filter(function (r) { return r.usd > 0; });
    if (!rows.length) return empty(container, "No aid commitments with a value yet.");
    var donors = {}, statuses = {};
    rows.forEach(function (r) {
      var d = r.donor || "unknown", s = r.status || "unknown";
      donors[d] = donors[d] || { total: 0, parts: {} };
      donors[d].parts[s] = (donors[d].parts[s] || 0) + r.usd;
      donors[d].total += r.usd;
      statuses[s] = true;
    });
    var keys = Object.keys(donors).sort(function (a, b) { return donors[b].total - donors[a].total; }).slice(0, 15);
    var max = donors[keys[0]].total;
    var rowH = 26, W = Math.max(320, container.clientWidth || 760), L = 70, R = 70, H = keys.length * rowH + 10;
    var svg = el("svg", { viewBox: "0 0 " + W + " " + H, class: "chart", role: "img", "aria-label": "Aid by donor" }, container);
    var statusKeys = Object.keys(statuses).sort();
    keys.forEach(function (d, i) {
      var yy = 5 + i * rowH, x = L;
      text(svg, L - 8, yy + 16, d, { "text-anchor": "end", "font-size": 12, fill: "#1d2330" });
      statusKeys.forEach(function (s) {
        var v = donors[d].parts[s];
        if (!v) return;
        var w = (v / max) * (W - L - R);
        var r = el("rect", { x: x, y: yy + 3, width: Math.max(1, w), height: rowH - 8, rx: 3, fill: colorFor(STATUS_COLORS, s), class: "bar" }, svg);
        tip(r, d + " · " + s + ": " + fmtMoney(v));
        x += w;
      });
      text(svg, x + 6, yy + 16, fmtMoney(donors[d].total), { "font-size": 12 });
    });
    legend(container, statusKeys, STATUS_COLORS);
  }

  /* Map: GeoJSON outlines (bundled) plus event points [{lat, lon, type, ...}] */
  function map(container, points, world) {
    container.setAttribute("data-rendered", "map");
    var W = 900, H = 560;
    var box = { w: -12, e: 52, s: 34, n: 66 };
    var located = (points || []).filter(function (p) { return p.lat !== null && p.lon !== null; });
    if (located.length) {
      // Fit to the points with a margin, but never tighter than ~14 degrees across.
      var lats = located.map(function (p) { return p.lat; }), lons = located.map(function (p) { return p.lon; });
      var cx = (Math.min.apply(null, lons) + Math.max.apply(null, lons)) / 2;
      var cy = (Math.min.apply(null, lats) + Math.max.apply(null, lats)) / 2;
      var half = Math.max(7, (Math.max.apply(null, lons) - Math.min.apply(null, lons)) * 0.65, (Math.max.apply(null, lats) - Math.min.apply(null, lats)) * 1.1);
      box = { w: cx - half * 1.3, e: cx + half * 1.3, s: cy - half * 0.8, n: cy + half * 0.8 };
    }
    var k = Math.cos(((box.s + box.n) / 2) * Math.PI / 180);
    var sx = W / ((box.e - box.w) * k), sy = H / (box.n - box.s), s = Math.min(sx, sy);
    var ox = (W - (box.e - box.w) * k * s) / 2, oy = (H - (box.n - box.s) * s) / 2;
    function px(lon, lat) { return [ox + (lon - box.w) * k * s, oy + (box.n - lat) * s]; }
    var wrap = document.createElement("div");
    wrap.className = "map-wrap";
    container.appendChild(wrap);
    var svg = el("svg", { viewBox: "0 0 " + W + " " + H, role: "img", "aria-label": "Map of events" }, wrap);
    var land = el("g", { class: "land" }, svg);
    ((world && world.features) || []).forEach(function (f) {
      var d = "";
      f.geometry.coordinates.forEach(function (poly) {
        poly.forEach(function (ring) {
          ring.forEach(function (c, i) { var p = px(c[0], c[1]); d += (i ? "L" : "M") + p[0].toFixed(1) + " " + p[1].toFixed(1); });
          d += "Z";
        });
      });
      var name = f.properties && f.properties.name;
      var path = el("path", { d: d, fill: name === "Ukraine" ? "#f3ecd2" : "#f7f7f4", stroke: "#9aa5b1", "stroke-width": 0.6 }, land);
      tip(path, name || "");
    });
    var tipBox = document.createElement("div");
    tipBox.className = "tooltip";
    wrap.appendChild(tipBox);
    var types = {};
    var dots = el("g", { class: "events" }, svg);
    // Several events at one place are spread on a small circle so each stays clickable.
    var seen = {};
    located.forEach(function (p) {
      var key = p.lat.toFixed(1) + "," + p.lon.toFixed(1);  // ~10 km: one place
      var n = seen[key] = (seen[key] || 0) + 1;
      var xy = px(p.lon, p.lat);
      if (n > 1) { var a = n * 2.4; xy = [xy[0] + Math.cos(a) * 4 * Math.sqrt(n), xy[1] + Math.sin(a) * 4 * Math.sqrt(n)]; }
      types[p.type] = true;
      var link = el("a", { href: p.href || "#" }, dots);
      var c = el("circle", { cx: xy[0], cy: xy[1], r: 6, fill: colorFor(TYPE_COLORS, p.type), stroke: "#fff", "stroke-width": 1.5, "fill-opacity": 0.9, class: "event-dot", "data-type": p.type }, link);
      var label = p.type + (p.place ? " · " + p.place : "") + (p.date ? " · " + p.date : "");
      tip(c, label);
      c.addEventListener("mousemove", function (ev) {
        var r = wrap.getBoundingClientRect();
        tipBox.textContent = label + (p.evidence ? " — " + p.evidence : "");
        tipBox.style.left = (ev.clientX - r.left + 12) + "px";
        tipBox.style.top = (ev.clientY - r.top + 12) + "px";
        tipBox.style.display = "block";
      });
      c.addEventListener("mouseleave", function () { tipBox.style.display = "none"; });
    });
    if (!located.length) empty(container, "No events with coordinates yet.");
    legend(container, Object.keys(types).sort(), TYPE_COLORS);
  }

  function loadWorld(container, done) {
    var inline = readJSON("world-geojson");
    if (inline) return done(inline);
    var url = container.getAttribute("data-world");
    if (!url) return done(null);
    fetch(url).then(function (r) { return r.json(); }).then(done, function () { done(null); });
  }

  function boot() {
    document.querySelectorAll("[data-chart]").forEach(function (node) {
      var data = readJSON(node.getAttribute("data-source"));
      var kind = node.getAttribute("data-chart");
      if (kind === "timeline") timeline(node, data);
      else if (kind === "aid") aidBars(node, data);
      else if (kind === "map") loadWorld(node, function (world) { map(node, data, world); });
    });
  }

  window.Veille = { timeline: timeline, aidBars: aidBars, map: map, colorFor: colorFor, TYPE_COLORS: TYPE_COLORS, fmtMoney: fmtMoney };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", boot);
  else boot();
})();
