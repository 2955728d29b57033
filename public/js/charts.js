// Draws the page's charts lazily: each <div data-chart="ID" data-src="URL"> is drawn when it
// comes near the viewport, with the ECharts option the server answers at URL (a JSON object of
// the page's chart options by ID, fetched once per URL, behind the page's own authorization);
// a <div data-chart="ID"> without data-src takes its option from <script type="application/json"
// id="ID"> on the page.
// ECharts itself (about 1 MB) is loaded on the first such chart, or once the page has loaded,
// so the page and its tables are usable before it arrives. No inline script: the
// Content-Security-Policy stays strict. Numbers the chart draws (value axes, data labels,
// tooltips) are written the Indonesian way, with a decimal comma; the server has already
// rounded every value (half away from zero), so nothing is rounded here.
(function () {
  "use strict";

  var ECHARTS_SRC = "/vendor/echarts.min.js";

  // idNum writes a number with a decimal comma: 75.25 → "75,25". toPrecision(12) drops the
  // binary noise of axis ticks (0.30000000000000004) without touching 2-decimal values.
  function idNum(v) {
    if (typeof v !== "number" || !isFinite(v)) {
      return v === undefined || v === null ? "" : String(v);
    }
    return String(Number(v.toPrecision(12))).replace(".", ",");
  }

  // valueText is what a tooltip or label shows for a value: a number, or the last element of
  // a heatmap cell [x, y, value].
  function valueText(v) {
    if (Array.isArray(v)) {
      return idNum(v[v.length - 1]);
    }
    return idNum(v);
  }

  function list(x) {
    if (!x) {
      return [];
    }
    return Array.isArray(x) ? x : [x];
  }

  // localize installs the formatters on an option parsed from the server's JSON.
  function localize(opt) {
    ["xAxis", "yAxis"].forEach(function (key) {
      list(opt[key]).forEach(function (axis) {
        if (!axis || axis.type !== "value") {
          return;
        }
        axis.axisLabel = axis.axisLabel || {};
        var f = axis.axisLabel.formatter;
        axis.axisLabel.formatter = typeof f === "string"
          ? function (v) { return f.replace("{value}", idNum(v)); }
          : idNum;
      });
    });
    if (opt.tooltip) {
      list(opt.tooltip).forEach(function (t) { t.valueFormatter = valueText; });
    }
    list(opt.series).forEach(function (s) {
      if (s.label && s.label.show) {
        s.label.formatter = function (p) { return valueText(p.value); };
      }
    });
    return opt;
  }

  // loadECharts resolves once window.echarts is there (one <script> for the whole page).
  var echartsLoad = null;
  function loadECharts() {
    if (!echartsLoad) {
      echartsLoad = new Promise(function (resolve, reject) {
        if (typeof echarts !== "undefined") {
          resolve();
          return;
        }
        var s = document.createElement("script");
        s.src = ECHARTS_SRC;
        s.onload = function () { resolve(); };
        s.onerror = function () { reject(new Error("echarts")); };
        document.head.appendChild(s);
      });
    }
    return echartsLoad;
  }

  // options fetches the chart options of one URL, once.
  var fetched = {};
  function options(src) {
    if (!fetched[src]) {
      fetched[src] = fetch(src, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) {
          if (!r.ok) {
            throw new Error("HTTP " + r.status);
          }
          return r.json();
        })
        .catch(function (err) {
          delete fetched[src]; // a later chart tries again
          throw err;
        });
    }
    return fetched[src];
  }

  // inline reads a chart's option from the page itself, <script type="application/json"
  // id="ID"> (small pages, such as a survey's results, that need no second request).
  function inline(el) {
    var tag = document.getElementById(el.dataset.chart);
    if (!tag || tag.type !== "application/json") {
      return Promise.reject(new Error("no option for " + el.dataset.chart));
    }
    var opts = {};
    opts[el.dataset.chart] = JSON.parse(tag.textContent);
    return Promise.resolve(opts);
  }

  var charts = [];

  // draw puts the chart of el on the page; on failure it says where the numbers are.
  function draw(el) {
    if (el.dataset.drawn) {
      return;
    }
    el.dataset.drawn = "1";
    Promise.all([loadECharts(), el.dataset.src ? options(el.dataset.src) : inline(el)]).then(function (res) {
      var opt = res[1][el.dataset.chart];
      if (!opt) {
        throw new Error("no option for " + el.dataset.chart);
      }
      var chart = echarts.init(el, null, { renderer: "canvas" });
      chart.setOption(localize(opt));
      charts.push(chart);
    }).catch(function () {
      el.classList.add("chart-failed");
      el.textContent = "Grafik tidak dapat dimuat; angkanya ada pada tabel data.";
    });
  }

  // The formatters are exposed for the browser tests, which check them on the live charts.
  window.raporCharts = { idNum: idNum, valueText: valueText, localize: localize };

  document.addEventListener("DOMContentLoaded", function () {
    var els = Array.prototype.slice.call(document.querySelectorAll("[data-chart]"));
    if (els.length === 0) {
      return;
    }
    els.forEach(function (el) {
      var rows = parseInt(el.dataset.rows || "0", 10);
      if (rows > 0) {
        el.style.height = Math.max(240, 80 + rows * 22) + "px"; // the place is kept: no jump
      }
    });
    if (!("IntersectionObserver" in window)) {
      els.forEach(draw);
    } else {
      var seen = new IntersectionObserver(function (entries) {
        entries.forEach(function (e) {
          if (e.isIntersecting) {
            seen.unobserve(e.target);
            draw(e.target);
          }
        });
      }, { rootMargin: "300px 0px" });
      els.forEach(function (el) { seen.observe(el); });
    }
    // Once the page has loaded, fetch ECharts and the options ahead of the scroll.
    window.addEventListener("load", function () {
      loadECharts().catch(function () {});
      if (els[0].dataset.src) {
        options(els[0].dataset.src).catch(function () {});
      }
    });
    window.addEventListener("resize", function () {
      charts.forEach(function (c) { c.resize(); });
    });
  });
})();
