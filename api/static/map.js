// The camera map: Leaflet + markercluster (served from /static/vendor), no outside requests
// unless CAMWATCH_MAP_TILES names a tile server. Without tiles (or when none load) the cameras
// stand on a latitude/longitude grid with a scale bar.
(function () {
  "use strict";
  var COLORS = { up: "#1e7b34", degraded: "#c77700", down: "#b3261e", maintenance: "#5b6575", unknown: "#8a94a6" };
  var RANK = { down: 4, degraded: 3, unknown: 2, maintenance: 1, up: 0 };

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function card(cam, labels) {
    var box = el("div", { "class": "map-card", "data-code": cam.code });
    var title = el("a", { href: "/cameras/" + encodeURIComponent(cam.code), "class": "map-card-code" }, cam.code);
    box.appendChild(title);
    box.appendChild(el("div", { "class": "map-card-name" }, cam.name));
    if (cam.address) box.appendChild(el("div", { "class": "muted" }, cam.address));
    var state = el("div", { "class": "map-card-state state-" + cam.state }, labels["health." + cam.state] || cam.state);
    box.appendChild(state);
    if (cam.faults) box.appendChild(el("div", { "class": "map-card-faults" }, cam.faults));
    return box;
  }

  function gridLayer(map) {
    // Graticule lines every "nice" step for the view, labelled at the left and bottom edges.
    var layer = L.layerGroup();
    function step(span) {
      var raw = span / 6, pow = Math.pow(10, Math.floor(Math.log10(raw))), n = raw / pow;
      return (n < 2 ? 1 : n < 5 ? 2 : 5) * pow;
    }
    function draw() {
      layer.clearLayers();
      var b = map.getBounds(), s = step(Math.max(b.getNorth() - b.getSouth(), b.getEast() - b.getWest()));
      var digits = Math.max(0, -Math.floor(Math.log10(s)));
      var style = { color: "#9aa5b5", weight: 1, opacity: 0.7, interactive: false };
      for (var lat = Math.floor(b.getSouth() / s) * s; lat <= b.getNorth(); lat += s) {
        L.polyline([[lat, b.getWest()], [lat, b.getEast()]], style).addTo(layer);
        L.marker([lat, b.getWest()], { interactive: false, icon: L.divIcon({ className: "grid-label", html: lat.toFixed(digits) + "°", iconSize: null }) }).addTo(layer);
      }
      for (var lon = Math.floor(b.getWest() / s) * s; lon <= b.getEast(); lon += s) {
        L.polyline([[b.getSouth(), lon], [b.getNorth(), lon]], style).addTo(layer);
        L.marker([b.getSouth() + (b.getNorth() - b.getSouth()) * 0.04, lon], { interactive: false, icon: L.divIcon({ className: "grid-label grid-label-lon", html: lon.toFixed(digits) + "°", iconSize: null }) }).addTo(layer);
      }
    }
    map.on("moveend zoomend resize", function () { if (map.hasLayer(layer)) draw(); });
    layer.on("add", draw);
    return layer;
  }

  function useGrid(map, grid) {
    if (map.hasLayer(grid)) return;
    grid.addTo(map);
    document.getElementById("map").classList.add("map-grid");
    var note = document.getElementById("map-grid-note");
    if (note) note.hidden = false;
    window.camwatchMap.mode = "grid";
  }

  function showCoverage(map, data, latlng, state) {
    var panel = document.getElementById("coverage-answer");
    var labels = data.labels;
    var radius = parseFloat(document.getElementById("m-radius").value) || 300;
    var start = document.getElementById("m-start").value;
    if (state.circle) map.removeLayer(state.circle);
    state.circle = L.circle(latlng, { radius: radius, color: "#1f5fbf", weight: 2, fillOpacity: 0.08, interactive: false, className: "coverage-circle" }).addTo(map);
    panel.hidden = false;
    panel.textContent = labels.loading;
    var query = new URLSearchParams({ lat: latlng.lat.toFixed(6), lon: latlng.lng.toFixed(6), radius_m: String(radius), start: start });
    fetch("/coverage.json?" + query.toString(), { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
      .then(function (answer) {
        panel.textContent = "";
        panel.appendChild(el("h2", {}, labels.result));
        var summary = el("p", { id: "coverage-summary" });
        summary.appendChild(el("strong", { id: "coverage-count" }, String(answer.cameras.length)));
        summary.appendChild(document.createTextNode(" " + labels.found + " (" + latlng.lat.toFixed(5) + ", " + latlng.lng.toFixed(5) + "; " + Math.round(radius) + " m)"));
        panel.appendChild(summary);
        if (!answer.cameras.length) { panel.appendChild(el("p", { "class": "muted" }, labels.none)); return; }
        var list = el("ul", { "class": "coverage-list", id: "coverage-list" });
        answer.cameras.forEach(function (c) {
          var item = el("li", { "data-code": c.code, "data-status": c.status });
          item.appendChild(el("a", { href: "/cameras/" + encodeURIComponent(c.code) }, c.code));
          item.appendChild(document.createTextNode(" " + c.name + " — " + Math.round(c.distance_m) + " m — "));
          item.appendChild(el("span", { "class": "state-" + c.status }, labels["coverage." + c.status] || labels["health." + c.status] || c.status));
          list.appendChild(item);
        });
        panel.appendChild(list);
      })
      .catch(function () { panel.textContent = labels.error; });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var data = JSON.parse(document.getElementById("map-data").textContent);
    var map = L.map("map", { minZoom: 3, maxZoom: 19 });
    window.camwatchMap = { map: map, mode: "tiles", markers: {} };
    L.control.scale({ imperial: false, maxWidth: 160 }).addTo(map);
    var grid = gridLayer(map);
    if (data.tiles) {
      var loaded = 0, failed = 0;
      var tiles = L.tileLayer(data.tiles, { maxZoom: 19, attribution: data.attribution || "" });
      tiles.on("tileload", function () { loaded += 1; });
      tiles.on("tileerror", function () {
        failed += 1;
        if (!loaded && failed >= 2) { map.removeLayer(tiles); useGrid(map, grid); }
      });
      tiles.addTo(map);
      // A tile server that never answers produces no error event: give it a few seconds.
      window.setTimeout(function () { if (!loaded && map.hasLayer(tiles)) { map.removeLayer(tiles); useGrid(map, grid); } }, 4000);
    } else {
      useGrid(map, grid);
    }
    var clusters = L.markerClusterGroup({
      maxClusterRadius: 40,
      animate: false,
      showCoverageOnHover: false,
      iconCreateFunction: function (cluster) {
        var worst = "up";
        cluster.getAllChildMarkers().forEach(function (m) { if (RANK[m.options.state] > RANK[worst]) worst = m.options.state; });
        var n = cluster.getChildCount();
        return L.divIcon({ html: "<span>" + n + "</span>", className: "cam-cluster cluster-" + worst, iconSize: L.point(36, 36) });
      }
    });
    var bounds = [];
    data.cameras.forEach(function (cam) {
      var dot = el("span", { "class": "cam-dot", "data-code": cam.code, "data-state": cam.state, title: cam.code });
      dot.style.background = COLORS[cam.state] || COLORS.unknown;
      var marker = L.marker([cam.lat, cam.lon], {
        icon: L.divIcon({ html: dot, className: "cam-marker marker-" + cam.state, iconSize: L.point(18, 18) }),
        state: cam.state, code: cam.code, title: cam.code, alt: cam.code, keyboard: true
      });
      marker.bindPopup(function () { return card(cam, data.labels); });
      clusters.addLayer(marker);
      window.camwatchMap.markers[cam.code] = marker;
      bounds.push([cam.lat, cam.lon]);
    });
    map.addLayer(clusters);
    window.camwatchMap.clusters = clusters;
    if (bounds.length) map.fitBounds(bounds, { padding: [30, 30], maxZoom: 16 });
    else map.setView([15.12, 108.8], 10);
    var focus = data.focus && window.camwatchMap.markers[data.focus];
    if (focus) clusters.zoomToShowLayer(focus, function () { focus.openPopup(); });
    if (data.coverage) {
      var state = {};
      map.on("click", function (e) { showCoverage(map, data, e.latlng, state); });
      var form = document.getElementById("map-coverage-form");
      if (form) form.addEventListener("submit", function (e) { e.preventDefault(); });
    }
    window.camwatchMap.ready = true;
  });
})();
