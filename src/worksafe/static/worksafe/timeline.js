// Phase timeline (gantt-like) for the plan overview, drawn with ECharts.
(function () {
  var el = document.getElementById("timeline");
  var src = document.getElementById("timeline-data");
  if (!el || !src || !window.echarts) return;
  var d = JSON.parse(src.textContent);
  var day = 86400000;
  var starts = d.starts.map(function (s) { return Date.parse(s); });
  var ends = d.ends.map(function (s) { return Date.parse(s) + day; });
  var chart = echarts.init(el);
  chart.setOption({
    grid: { left: 90, right: 30, top: 20, bottom: 30 },
    tooltip: { formatter: function (p) { return d.names[p.dataIndex] + ":" + d.starts[p.dataIndex].slice(0, 7) + " — " + d.ends[p.dataIndex].slice(0, 7); } },
    xAxis: { type: "time" },
    yAxis: { type: "category", data: d.names, inverse: true },
    series: [{
      type: "custom",
      renderItem: function (params, api) {
        var y = api.value(0), a = api.coord([api.value(1), y]), b = api.coord([api.value(2), y]);
        var h = api.size([0, 1])[1] * 0.5;
        return { type: "rect", shape: { x: a[0], y: a[1] - h / 2, width: Math.max(2, b[0] - a[0]), height: h }, style: api.style() };
      },
      encode: { x: [1, 2], y: 0 },
      itemStyle: { color: "#206bc4" },
      data: d.names.map(function (n, i) { return [i, starts[i], ends[i]]; }),
      markLine: { symbol: "none", label: { formatter: "今天" }, lineStyle: { color: "#d63939" }, data: [{ xAxis: Date.parse(d.today) }] }
    }]
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
