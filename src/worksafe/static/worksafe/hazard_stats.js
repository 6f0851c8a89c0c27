/* Hazard statistics (hazards/statistics.html): found and closed per month, and close rate /
 * on-time rate by township, sector and supervising department. Data from #hazard-stats-data
 * (hazards.lists.views.Statistics); clicking a bar opens the problem list filtered to it. */
(function () {
  "use strict";
  var dataEl = document.getElementById("hazard-stats-data");
  if (!dataEl || !window.echarts) return;
  var d = JSON.parse(dataEl.textContent);
  var charts = [];

  function empty(node, text) {
    node.classList.add("d-flex", "align-items-center", "justify-content-center", "text-secondary");
    node.textContent = text;
  }

  function monthly() {
    var node = document.getElementById("chart-monthly");
    if (!node) return;
    var chart = echarts.init(node);
    chart.setOption({
      tooltip: {trigger: "axis"},
      legend: {top: 0, data: ["发现", "销号"]},
      grid: {left: 28, right: 16, bottom: 8, top: 40, containLabel: true},
      xAxis: {type: "category", data: d.months},
      yAxis: {type: "value", minInterval: 1},
      series: [
        {name: "发现", type: "bar", data: d.found, itemStyle: {color: "#f59f00"}, barMaxWidth: 28},
        {name: "销号", type: "line", data: d.closed, itemStyle: {color: "#2fb344"}}
      ]
    });
    charts.push(chart);
  }

  function rates(key) {
    var node = document.getElementById("chart-" + key);
    var g = d.groups[key];
    if (!node || !g) return;
    if (!g.names.length) { empty(node, "暂无隐患数据"); return; }
    var chart = echarts.init(node);
    var many = g.names.length > 6;
    chart.setOption({
      tooltip: {
        trigger: "axis", axisPointer: {type: "shadow"},
        formatter: function (ps) {
          var i = ps[0].dataIndex, lines = [g.names[i] + "(隐患" + g.total[i] + "条)"];
          ps.forEach(function (p) {
            lines.push(p.marker + p.seriesName + ":" + (p.value === null || p.value === undefined ? "—" : p.value + "%"));
          });
          return lines.join("<br>");
        }
      },
      legend: {top: 0, data: ["销号率", "按期整改率"]},
      grid: {left: 28, right: 16, bottom: 8, top: 40, containLabel: true},
      xAxis: {type: "category", data: g.names, axisLabel: {interval: 0, rotate: many ? 30 : 0}},
      yAxis: {type: "value", min: 0, max: 100, axisLabel: {formatter: "{value}%"}},
      series: [
        {name: "销号率", type: "bar", data: g.close_rate, itemStyle: {color: "#206bc4"}, barMaxWidth: 28},
        {name: "按期整改率", type: "bar", data: g.on_time_rate, itemStyle: {color: "#2fb344"}, barMaxWidth: 28}
      ]
    });
    chart.on("click", function (p) {
      var id = g.ids[p.dataIndex];
      if (id === null || id === undefined) return;
      window.location.href = d.list_url + "?" + g.param + "=" + encodeURIComponent(id);
    });
    charts.push(chart);
  }

  monthly();
  ["township", "sector", "department"].forEach(rates);
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
})();
