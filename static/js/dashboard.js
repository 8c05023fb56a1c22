/* The dashboard's small map: open faults counted per square, each square opening the queue
   filtered to it. The table beside it holds the same places; the page works without this. */
(function () {
  "use strict";
  var box = document.getElementById("dash-map");
  var data = document.getElementById("dash-cells");
  if (!box || !data) return;
  var cells = JSON.parse(data.textContent);

  function load(tag, attrs) {
    return new Promise(function (resolve, reject) {
      var el = document.createElement(tag);
      for (var k in attrs) el.setAttribute(k, attrs[k]);
      el.onload = resolve; el.onerror = reject;
      document.head.appendChild(el);
    });
  }

  // A sequential scale (ColorBrewer Oranges), the densest square darkest.
  var shades = ["#fdd0a2", "#fdae6b", "#f16913", "#d94801", "#8c2d04"];
  var most = Math.max.apply(null, cells.map(function (c) { return c[4]; }));
  function shade(count) {
    return shades[Math.min(shades.length - 1, Math.floor((shades.length * count) / (most + 1)))];
  }

  load("link", { rel: "stylesheet", href: box.getAttribute("data-leaflet-css") });
  var ready = window.L ? Promise.resolve() : load("script", { src: box.getAttribute("data-leaflet-js") });
  ready.then(function () {
    var map = L.map(box, { maxZoom: 18, scrollWheelZoom: false });
    var tiles = box.getAttribute("data-tiles");
    if (tiles) {
      L.tileLayer(tiles, { maxZoom: 18, attribution: box.getAttribute("data-attribution") || "" }).addTo(map);
    } else {
      box.classList.add("no-tiles");
    }
    var label = box.getAttribute("data-t-cell");
    var group = L.featureGroup();
    cells.forEach(function (c) {
      var square = L.rectangle([[c[1], c[0]], [c[3], c[2]]], {
        weight: 1, color: "#5a2000", fillColor: shade(c[4]), fillOpacity: 0.75
      });
      var a = document.createElement("a");
      a.href = c[5];
      a.textContent = label.replace("{count}", c[4]);
      square.bindPopup(a);
      group.addLayer(square);
    });
    group.addTo(map);
    map.fitBounds(group.getBounds(), { padding: [12, 12], maxZoom: 15 });
  }).catch(function () {
    box.textContent = box.getAttribute("data-t-failed");
  });
})();
