// Renders every chart of the page: each <div data-chart="ID"> takes its ECharts option from
// the <script type="application/json" id="ID"> the server wrote (no inline script, so the
// Content-Security-Policy stays strict).
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
    chart.setOption(JSON.parse(src.textContent));
    charts.push(chart);
  });
  window.addEventListener("resize", function () {
    charts.forEach(function (c) { c.resize(); });
  });
});
