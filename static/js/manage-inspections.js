/* The inspection screens, improved when JavaScript runs; everything works without it.
   Ticking a whole page at once, and a map (Leaflet, loaded only when asked for) whose view or
   a drawn box becomes the filter's bbox. */
(function () {
  "use strict";
  var $ = function (id) { return document.getElementById(id); };

  var summary = $("error-summary");
  if (summary) summary.focus();

  // Tick or untick every asset of this page.
  var tickPage = $("tick-page");
  if (tickPage) {
    tickPage.parentNode.hidden = false;
    var boxes = document.querySelectorAll("#asset-table input[name=assets]");
    tickPage.addEventListener("change", function () {
      for (var i = 0; i < boxes.length; i++) boxes[i].checked = tickPage.checked;
    });
  }

  var pick = $("map-pick"), filter = $("filter-form");
  if (!pick || !filter || !filter.elements.bbox) return;
  pick.hidden = false;
  var t = function (key) { return pick.getAttribute("data-t-" + key) || ""; };
  var status = $("map-status"), box = $("inspection-map"), actions = $("map-actions");
  var map = null, drawing = null, corner = null;

  function load(tag, attrs, done) {
    var el = document.createElement(tag);
    for (var k in attrs) el.setAttribute(k, attrs[k]);
    if (done) el.onload = done;
    document.head.appendChild(el);
  }

  function choose(bounds) {
    var b = [bounds.getWest(), bounds.getSouth(), bounds.getEast(), bounds.getNorth()];
    filter.elements.bbox.value = b.map(function (v) { return v.toFixed(6); }).join(",");
    filter.submit();
  }

  function show() {
    var centre = (pick.getAttribute("data-center") || "35.367,132.755").split(",");
    map = L.map(box).setView([parseFloat(centre[0]), parseFloat(centre[1])],
                             parseInt(pick.getAttribute("data-zoom"), 10) || 14);
    var tiles = pick.getAttribute("data-tiles");
    if (tiles) {
      L.tileLayer(tiles, { maxZoom: 19, attribution: pick.getAttribute("data-attribution") || "" }).addTo(map);
    } else {
      box.classList.add("no-tiles");
    }
    var current = pick.getAttribute("data-bbox");
    if (current) {
      var c = current.split(",").map(parseFloat);
      var shown = L.rectangle([[c[1], c[0]], [c[3], c[2]]], { color: "#a40000", weight: 2, fill: false }).addTo(map);
      map.fitBounds(shown.getBounds());
    }
    status.textContent = t("loading");
    fetch(pick.getAttribute("data-features"), { credentials: "same-origin" })
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
      .then(function (data) {
        var layer = L.geoJSON(data, {
          pointToLayer: function (f, ll) {
            return L.circleMarker(ll, { radius: 5, weight: 1, color: "#1a1a1a", fillColor: "#0b5cad", fillOpacity: 0.8 });
          },
          onEachFeature: function (f, l) { l.bindTooltip(f.properties.label); }
        }).addTo(map);
        if (!current && data.features.length) map.fitBounds(layer.getBounds(), { maxZoom: 17, padding: [20, 20] });
        status.textContent = t("loaded") + " " + data.features.length + (data.truncated ? " — " + t("truncated") : "");
      })
      .catch(function () { status.textContent = t("failed"); });
    map.on("click", function (e) {
      if (!drawing) return;
      if (!corner) {
        corner = e.latlng;
        status.textContent = t("corner-2");
        return;
      }
      var bounds = L.latLngBounds(corner, e.latlng);
      L.rectangle(bounds, { color: "#a40000", weight: 2 }).addTo(map);
      drawing = false; corner = null;
      choose(bounds);
    });
  }

  $("show-map").addEventListener("click", function () {
    box.hidden = false;
    actions.hidden = false;
    this.hidden = true;
    if (map) return;
    load("link", { rel: "stylesheet", href: pick.getAttribute("data-leaflet-css") });
    load("script", { src: pick.getAttribute("data-leaflet-js") }, show);
  });
  $("use-view").addEventListener("click", function () { if (map) choose(map.getBounds()); });
  $("draw-box").addEventListener("click", function () {
    if (!map) return;
    drawing = true; corner = null;
    status.textContent = t("corner-1");
  });
})();
