/* Dashboard charts: enterprises by risk level × sector and × township (stacked bars).
 * Data and level colours come from #risk-chart-data (risks.views_map.risk_chart_data);
 * clicking a bar opens the risk table filtered to it. ECharts is loaded from this script's
 * data-echarts when the page has not loaded it yet: the panel may arrive after the desk
 * (core/_panel_slot.html), where a second <script src> would not wait for the first. */
(function () {
  "use strict";
  var me = document.currentScript;
  if (window.echarts || !me || !me.getAttribute("data-echarts")) { run(); return; }
  var lib = document.createElement("script");
  lib.src = me.getAttribute("data-echarts");
  lib.onload = run;
  document.head.appendChild(lib);

  function run() {
  var dataEl = document.getElementById("risk-chart-data");
  if (!dataEl || !window.echarts) return;
  var d = JSON.parse(dataEl.textContent);

  function draw(id, block, param) {
    var node = document.getElementById(id);
    if (!node) return;
    if (!block.categories.length) {
      node.classList.add("d-flex", "align-items-center", "justify-content-center", "text-secondary");
      node.textContent = "暂无企业数据";
      return;
    }
    var chart = echarts.init(node);
    var many = block.categories.length > 6;
    chart.setOption({
      tooltip: {trigger: "axis", axisPointer: {type: "shadow"}},
      legend: {top: 0, data: d.levels.map(function (lv) { return lv.label; })},
      grid: {left: 28, right: 16, bottom: 8, top: 44, containLabel: true},
      xAxis: {type: "category", data: block.categories,
              axisLabel: {interval: 0, rotate: many ? 30 : 0}},
      yAxis: {type: "value", minInterval: 1},
      series: d.levels.map(function (lv) {
        return {
          name: lv.label, type: "bar", stack: "level", barMaxWidth: 36,
          data: block.series[lv.key], itemStyle: {color: lv.hex}, emphasis: {focus: "series"}
        };
      })
    });
    chart.on("click", function (p) {
      var cid = block.ids[p.dataIndex];
      var lv = d.levels[p.seriesIndex];
      if (cid === null || cid === undefined || !lv) return;
      window.location.href = d.table_url + "?" + param + "=" + encodeURIComponent(cid) + "&level=" + encodeURIComponent(lv.key);
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }

  draw("risk-chart-sector", d.sector, "sector");
  draw("risk-chart-township", d.township, "township");
  }
})();
