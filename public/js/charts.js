// Renders every chart of the page: each <div data-chart="ID"> takes its ECharts option from
// the <script type="application/json" id="ID"> the server wrote (no inline script, so the
// Content-Security-Policy stays strict). Numbers the chart draws (value axes, data labels,
// tooltips) are written the Indonesian way, with a decimal comma; the server has already
// rounded every value (half away from zero), so nothing is rounded here.
(function () {
  "use strict";

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

  // The formatters are exposed for the browser tests, which check them on the live charts.
  window.raporCharts = { idNum: idNum, valueText: valueText, localize: localize };

  document.addEventListener("DOMContentLoaded", function () {
    if (typeof echarts === "undefined") {
      return; // assets missing: the tables below each chart still hold every number
    }
    var charts = [];
    document.querySelectorAll("[data-chart]").forEach(function (el) {
      var src = document.getElementById(el.dataset.chart);
      if (!src) {
        return;
      }
      var rows = parseInt(el.dataset.rows || "0", 10);
      if (rows > 0) {
        el.style.height = Math.max(240, 80 + rows * 22) + "px";
      }
      var chart = echarts.init(el, null, { renderer: "canvas" });
      chart.setOption(localize(JSON.parse(src.textContent)));
      charts.push(chart);
    });
    window.addEventListener("resize", function () {
      charts.forEach(function (c) { c.resize(); });
    });
  });
})();
