/* 一张图: the risk map. Reads its configuration from #map-config (json_script) and, for the
 * current view only, its data from the map data URL (same filters as the page, plus the view's
 * bbox and zoom; docs/map.md): clusters counted by the server when zoomed out, markers when
 * zoomed in. Colours come from the JSON (standards.levels); nothing here is fetched from outside
 * the server. */
(function () {
  "use strict";
  var cfgEl = document.getElementById("map-config");
  var el = document.getElementById("risk-map");
  if (!cfgEl || !el || !window.L) return;
  var cfg = JSON.parse(cfgEl.textContent);
  var statusEl = document.getElementById("map-status");
  var style = cfg.style || {};
  var levels = {};
  var unrated = null;
  (cfg.levels || []).forEach(function (lv) {
    if (lv.value) levels[lv.value] = lv; else unrated = lv;
  });

  function levelOf(value) { return levels[value] || unrated || {}; }
  function esc(s) {
    return String(s === null || s === undefined ? "" : s).replace(/[&<>"']/g, function (c) {
      return {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[c];
    });
  }
  function setStatus(text) { if (statusEl) statusEl.textContent = text; }

  var map = L.map(el, {minZoom: 3, maxZoom: 18, zoomSnap: 0.5});
  map.attributionControl.setPrefix(false);  // no link to an outside site
  // the offline base map (one PMTiles file served by the application, docs/map.md),
  // online tiles above it when a tile server is configured
  var hasBasemap = !!(cfg.basemap_url && window.protomapsL);
  if (hasBasemap) {
    basemap(cfg.basemap_url).addTo(map);
  }
  if (cfg.tile_url) {
    L.tileLayer(cfg.tile_url, {attribution: cfg.attribution || "", maxZoom: 18}).addTo(map);
  }
  if (!cfg.tile_url && !hasBasemap) {
    el.classList.add("ws-map-plain");
  }

  function basemap(url) {
    var P = window.protomapsL;
    var ink = "#5c6670";
    var paintRules = [
      {dataLayer: "earth", symbolizer: new P.PolygonSymbolizer({fill: "#f3f1ea"})},
      {dataLayer: "townships", symbolizer: new P.PolygonSymbolizer({fill: "#e9efe4", opacity: 0.6})},
      {dataLayer: "boundaries", filter: function (z, f) { return f.props.kind === "township"; },
        symbolizer: new P.LineSymbolizer({color: "#8a96a3", width: 1, dash: [4, 3]})},
      {dataLayer: "boundaries", filter: function (z, f) { return f.props.kind === "county"; },
        symbolizer: new P.LineSymbolizer({color: "#6c4f8a", width: 2.5})}
    ];
    var labelRules = [
      {dataLayer: "places", filter: function (z, f) { return f.props.kind === "township"; },
        symbolizer: new P.OffsetTextSymbolizer({
          labelProps: ["name"], fill: ink, stroke: "#ffffff", width: 2, offsetX: 22, offsetY: 5,
          font: "600 13px sans-serif"})},
      {dataLayer: "places", maxzoom: 8, filter: function (z, f) { return f.props.kind === "county"; },
        symbolizer: new P.CenteredTextSymbolizer({
          labelProps: ["name"], fill: "#6c4f8a", stroke: "#ffffff", width: 2, font: "700 15px sans-serif"})}
    ];
    return P.leafletLayer({
      url: url, maxDataZoom: 12, paintRules: paintRules, labelRules: labelRules,
      backgroundColor: "#e8ecef", attribution: "离线底图"
    });
  }
  L.control.scale({imperial: false}).addTo(map);

  function badge(e) {
    var lv = levelOf(e.level);
    return '<span class="badge text-white" style="background:' + esc(lv.hex) + '">' + esc(lv.label) +
      (e.level ? "(" + esc(lv.colour_name) + ")" : "") + "</span>";
  }

  function card(e) {
    var html = '<div class="ws-card"><div class="ws-card-title mb-1">' + esc(e.name) + "</div>" +
      '<div class="mb-2">' + badge(e) + "</div>" +
      '<table class="table table-sm mb-2"><tbody>' +
      "<tr><th class=\"text-nowrap\">定级依据</th><td>" + (esc(e.reason) || "—") + "</td></tr>" +
      "<tr><th>所在乡镇</th><td>" + esc(e.township) + "</td></tr>" +
      "<tr><th>行业领域</th><td>" + (esc(e.sectors.join("、")) || "—") + "</td></tr>";
    if (e.protection_distance_m) {
      html += "<tr><th class=\"text-nowrap\">防护距离</th><td>" + esc(e.protection_distance_m) + " 米</td></tr>";
    }
    html += "</tbody></table>";
    if (e.flagged && e.flagged.length) {
      html += '<div class="text-danger small fw-bold">防护距离内有' + e.flagged.length + "处人员密集场所:</div>" +
        '<ul class="small ps-3 mb-2">' + e.flagged.map(function (p) {
          return "<li>" + esc(p.name) + "(" + esc(p.kind) + ",距" + esc(p.distance_m) + "米)</li>";
        }).join("") + "</ul>";
    }
    if (e.alarms) {
      html += '<div class="small mb-2"><a href="' + esc(e.url) + '#monitoring">在线监测:' + esc(e.alarms.open) +
        " 条未关闭预警</a>" + (e.alarms.worst ? ',<span class="badge text-white" style="background:' +
        esc(e.alarms.hex) + '">' + esc(e.alarms.label) + "</span> 持续中" : "") + "</div>";
    }
    html += '<a class="btn btn-sm btn-primary text-white" href="' + esc(e.url) + '">查看企业档案</a></div>';
    return html;
  }

  // markers (zoomed in) are grouped in the browser as before; clusters (zoomed out, or too many
  // markers in the view) come counted from the server and are drawn in the same look
  var clusters = L.markerClusterGroup({
    maxClusterRadius: 50,
    showCoverageOnHover: false,
    spiderfyOnMaxZoom: true,
    iconCreateFunction: function (cluster) {
      // a cluster takes the colour of its most severe enterprise
      var worst = 0;
      cluster.getAllChildMarkers().forEach(function (m) { worst = Math.max(worst, m.options.wsLevel || 0); });
      return clusterIcon(cluster.getChildCount(), worst);
    }
  });
  var cells = L.layerGroup();
  var circles = L.layerGroup();
  var places = L.layerGroup();
  var towns = L.layerGroup();
  var firstDraw = true;

  function clusterIcon(n, worst) {
    var size = n < 10 ? 34 : n < 100 ? 40 : n < 1000 ? 48 : 56;
    return L.divIcon({
      html: '<div class="ws-cluster" style="background:' + esc(levelOf(worst).hex) + '"><span>' + n + "</span></div>",
      className: "ws-cluster-icon", iconSize: L.point(size, size)
    });
  }

  function clusterTip(c) {
    var html = '<div class="ws-card"><div class="ws-card-title mb-1">' + esc(c.n) + "家企业</div>";
    (cfg.levels || []).forEach(function (lv) {
      var k = c.counts[lv.key];
      if (k) {
        html += '<div class="small text-nowrap"><span class="ws-legend-dot" style="background:' + esc(lv.hex) +
          '"></span> ' + esc(lv.label) + (lv.value ? "(" + esc(lv.colour_name) + ")" : "") + " " + esc(k) + "家</div>";
      }
    });
    return html + '<div class="small text-secondary mt-1">点击放大查看</div></div>';
  }

  function drawCluster(c) {
    var m = L.marker([c.lat, c.lon], {icon: clusterIcon(c.n, c.worst || 0), riseOnHover: true,
                                      title: c.n + "家企业", keyboard: true});
    m.bindTooltip(clusterTip(c), {direction: "top", offset: [0, -14]});
    m.on("click", function () {
      var b = L.latLngBounds([c.bounds[1], c.bounds[0]], [c.bounds[3], c.bounds[2]]);
      var next = Math.min(map.getMaxZoom(), map.getZoom() + 2);
      if (b.isValid() && !b.getNorthEast().equals(b.getSouthWest())) {
        map.fitBounds(b.pad(0.2), {maxZoom: Math.max(next, cfg.marker_zoom || next)});
      } else {
        map.setView([c.lat, c.lon], Math.max(next, cfg.marker_zoom || next));
      }
    });
    m.addTo(cells);
  }

  function drawMarker(e) {
    var ll = [e.lat, e.lon];
    var hex = levelOf(e.level).hex;
    var marker = L.marker(ll, {
      title: e.name, wsLevel: e.level || 0, riseOnHover: true,
      icon: L.divIcon({
        className: "ws-pin-icon", iconSize: [20, 20], iconAnchor: [10, 10], popupAnchor: [0, -8],
        // an enterprise with a monitoring alarm in progress gets a ring in the alarm's colour
        html: '<span class="ws-pin" style="background:' + esc(hex) +
          (e.alarms && e.alarms.worst ? ";box-shadow:0 0 0 3px " + esc(e.alarms.hex) : "") + '"></span>'
      })
    });
    marker.bindPopup(card(e), {maxWidth: 320});
    clusters.addLayer(marker);
    if (e.protection_distance_m) {
      L.circle(ll, {
        radius: e.protection_distance_m, color: hex, weight: 1.5, dashArray: "6 4",
        fillColor: hex, fillOpacity: 0.08
      }).bindTooltip(esc(e.name) + " 外部安全防护距离 " + esc(e.protection_distance_m) + " 米").addTo(circles);
    }
  }

  function drawPlace(p) {
    var colour = p.flagged ? style.flagged : style.gathering;
    var html = '<div class="ws-card"><div class="ws-card-title">' + esc(p.name) + "</div>" +
      '<div class="small text-secondary mb-1">' + esc(p.kind) + " · " + esc(p.township) +
      (p.people ? " · 约" + esc(p.people) + "人" : "") + "</div>";
    if (p.flagged) {
      html += '<div class="text-danger small fw-bold">位于以下企业外部安全防护距离内:</div><ul class="small ps-3 mb-0">' +
        p.inside.map(function (e) {
          return "<li>" + esc(e.name) + "(距" + esc(e.distance_m) + "米)</li>";
        }).join("") + "</ul>";
    }
    html += "</div>";
    L.circleMarker([p.lat, p.lon], {
      radius: p.flagged ? 7 : 5, color: colour, weight: p.flagged ? 3 : 1.5, fillColor: colour, fillOpacity: 0.6
    }).bindPopup(html).bindTooltip(esc(p.name) + (p.flagged ? "(位于防护距离内)" : "")).addTo(places);
  }

  function drawTowns(data) {
    var seatBounds = L.latLngBounds([]);
    (data.townships || []).forEach(function (t) {
      var ll = [t.lat, t.lon];
      seatBounds.extend(ll);
      L.circleMarker(ll, {
        radius: t.level === 3 ? 7 : 5, color: style.township, weight: 2, fillColor: style.township,
        fillOpacity: t.level === 3 ? 0.9 : 0.25, interactive: true
      // the base map writes the township names itself
      }).bindTooltip(esc(t.name), {permanent: !hasBasemap, direction: "right", offset: [6, 0],
                                   className: hasBasemap ? "" : "ws-town-label"})
        .addTo(towns);
    });
    return seatBounds;
  }

  function draw(data) {
    if (firstDraw) {
      firstDraw = false;
      var seatBounds = drawTowns(data);
      towns.addTo(map);
      circles.addTo(map);
      places.addTo(map);
      clusters.addTo(map);
      cells.addTo(map);
      L.control.layers(null, {
        "企业": clusters, "企业聚合": cells, "外部安全防护距离": circles, "人员密集场所": places, "乡镇驻地": towns
      }, {collapsed: true}).addTo(map);
      if (!viewSet) {  // no enterprise placed: the township seats, or the whole country
        viewSet = true;
        if (seatBounds.isValid()) map.fitBounds(seatBounds.pad(0.1), {maxZoom: 9});
        else map.setView([35, 104], 4);
      }
    }
    clusters.clearLayers();
    cells.clearLayers();
    circles.clearLayers();
    places.clearLayers();
    (data.clusters || []).forEach(drawCluster);
    (data.enterprises || []).forEach(drawMarker);
    (data.gathering_places || []).forEach(drawPlace);

    // counts in the legend (every enterprise of the filter, not only the view)
    var counts = data.counts || {};
    document.querySelectorAll("[data-level-count]").forEach(function (node) {
      var n = counts[node.getAttribute("data-level-count")] || 0;
      node.textContent = n + "家";
    });

    var n = data.total || 0;
    var missing = data.unlocated_count || 0;
    var text = data.mode === "clusters" ? "视图内" + n + "家企业(已聚合,点击放大)"
      : "图上" + (data.enterprises || []).length + "家企业" +
        (data.truncated ? "(视图内共" + n + "家,仅显示风险等级最高的部分,请放大)" : "");
    if (data.places_truncated) {
      text += data.mode === "clusters" ? ";人员密集场所较多,放大后显示" : ";人员密集场所较多,仅显示部分,请放大";
    }
    setStatus(text + (missing ? ",另有" + missing + "家未标注位置" : ""));
    document.getElementById("map-empty").classList.toggle("d-none", !!n || !viewSet);
  }

  // the data of the current view: asked again (debounced, the previous request aborted) after
  // every move and zoom, with the page's filters and the view's box and zoom
  var pending = null;
  var timer = null;
  function load(withView) {
    if (pending) pending.abort();
    var ctrl = window.AbortController ? new AbortController() : null;
    pending = ctrl;
    var url = cfg.data_url;
    if (withView) {
      var b = map.getBounds();
      url += (url.indexOf("?") < 0 ? "?" : "&") + "bbox=" + [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()]
        .map(function (v) { return v.toFixed(5); }).join(",") + "&zoom=" + map.getZoom();
    }
    setStatus("正在加载…");
    fetch(url, {credentials: "same-origin", headers: {"Accept": "application/json"},
                signal: ctrl ? ctrl.signal : undefined})
      .then(function (r) {
        if (!r.ok) throw new Error(r.status);
        return r.json();
      })
      .then(function (data) { if (pending === ctrl) { pending = null; draw(data); } })
      .catch(function (err) {
        if (err && err.name === "AbortError") return;
        if (window.console) console.error("map:", err);
        setStatus("地图数据加载失败,请刷新重试");
        if (!viewSet) { viewSet = true; map.setView([35, 104], 4); }
      });
  }

  var viewSet = false;
  var ext = cfg.extent;
  if (ext) {
    var eb = L.latLngBounds([ext.min_lat, ext.min_lon], [ext.max_lat, ext.max_lon]);
    map.fitBounds(eb.pad(0.1), {maxZoom: 14});
    viewSet = true;
  }
  map.on("moveend", function () {
    if (!viewSet) return;
    clearTimeout(timer);
    timer = setTimeout(function () { load(true); }, 250);
  });
  load(viewSet);
})();
