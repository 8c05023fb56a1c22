/* The report form, improved when JavaScript runs; everything works without it. Small on
   purpose: old phones, weak networks. The map (Leaflet) loads only when asked for. */
(function () {
  "use strict";
  var form = document.getElementById("report-form");
  if (!form) return;
  var $ = function (id) { return document.getElementById(id); };
  var summary = $("error-summary");
  if (summary) summary.focus();

  // Show only the questions of the chosen fault category.
  function showQuestions() {
    var chosen = form.querySelector("input[name=category]:checked");
    var blocks = form.querySelectorAll(".questions");
    for (var i = 0; i < blocks.length; i++) {
      blocks[i].hidden = !chosen || blocks[i].getAttribute("data-category") !== chosen.value;
    }
  }
  form.addEventListener("change", function (e) {
    if (e.target.name === "category") showQuestions();
  });
  showQuestions();

  // Previews of the photos about to be sent.
  var input = $("id_photos"), previews = $("previews");
  if (input && previews && window.URL && URL.createObjectURL) {
    input.addEventListener("change", function () {
      previews.textContent = "";
      for (var i = 0; i < input.files.length && i < 5; i++) {
        var img = document.createElement("img");
        img.src = URL.createObjectURL(input.files[i]);
        img.alt = input.files[i].name;
        img.width = 80; img.height = 80;
        previews.appendChild(img);
      }
    });
  }

  // Location: the phone's position, or a pin on a map.
  var status = $("location-status");
  var extras = form.querySelector(".js-only");
  if (!extras) return;
  extras.hidden = false;
  var t = function (key) { return form.getAttribute("data-t-" + key) || key; };

  function setPlace(lat, lon, accuracy, source) {
    form.elements.lat.value = lat.toFixed(7);
    form.elements.lon.value = lon.toFixed(7);
    form.elements.accuracy.value = accuracy ? Math.round(accuracy) : "";
    form.elements.location_source.value = source;
    status.textContent = t("place-set") + " (" + lat.toFixed(5) + ", " + lon.toFixed(5) +
      (accuracy ? ", ±" + Math.round(accuracy) + " m" : "") + ")";
    if (marker) marker.setLatLng([lat, lon]);
  }

  var useLocation = $("use-location");
  if (!navigator.geolocation) useLocation.hidden = true;
  useLocation.addEventListener("click", function () {
    status.textContent = t("locating");
    navigator.geolocation.getCurrentPosition(function (pos) {
      setPlace(pos.coords.latitude, pos.coords.longitude, pos.coords.accuracy, "device");
      if (map) map.setView([pos.coords.latitude, pos.coords.longitude], 18);
    }, function () {
      status.textContent = t("no-location");
    }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
  });

  var map = null, marker = null;
  function load(tag, attrs, done) {
    var el = document.createElement(tag);
    for (var k in attrs) el.setAttribute(k, attrs[k]);
    if (done) el.onload = done;
    document.head.appendChild(el);
  }
  $("show-map").addEventListener("click", function () {
    var box = $("map");
    box.hidden = false;
    if (map) return;
    load("link", { rel: "stylesheet", href: form.getAttribute("data-leaflet-css") });
    load("script", { src: form.getAttribute("data-leaflet-js") }, function () {
      var centre = (form.getAttribute("data-center") || "35.367,132.755").split(",");
      var lat = parseFloat(form.elements.lat.value) || parseFloat(centre[0]);
      var lon = parseFloat(form.elements.lon.value) || parseFloat(centre[1]);
      map = L.map(box).setView([lat, lon], 17);
      var tiles = form.getAttribute("data-tiles");
      if (tiles) {
        L.tileLayer(tiles, { maxZoom: 19, attribution: form.getAttribute("data-attribution") || "" }).addTo(map);
      } else {
        box.classList.add("no-tiles");
      }
      marker = L.marker([lat, lon], { draggable: true, keyboard: true, title: t("pin") }).addTo(map);
      marker.on("dragend", function () {
        var p = marker.getLatLng(); setPlace(p.lat, p.lng, null, "map");
      });
      map.on("click", function (e) { setPlace(e.latlng.lat, e.latlng.lng, null, "map"); });
      // Nearby assets for orientation when there is no background map.
      var b = map.getBounds();
      fetch("/api/v1/assets/?limit=300&bbox=" + [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].join(","))
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (data) {
          if (data) L.geoJSON(data, { pointToLayer: function (f, ll) {
            return L.circleMarker(ll, { radius: 4, weight: 1, color: "#555", fillOpacity: 0.4 });
          }, style: { color: "#888", weight: 2 } }).addTo(map);
        }).catch(function () {});
    });
  });
})();
