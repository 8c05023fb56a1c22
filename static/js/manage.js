/* The managers' maps (the queue's on a wide screen from the start, the others when asked
   for) and the queue's bulk bar. Every screen works without them. */
(function () {
  "use strict";
  var $ = function (id) { return document.getElementById(id); };

  function load(tag, attrs) {
    return new Promise(function (resolve, reject) {
      var el = document.createElement(tag);
      for (var k in attrs) el.setAttribute(k, attrs[k]);
      el.onload = resolve; el.onerror = reject;
      document.head.appendChild(el);
    });
  }

  function leaflet(button, cluster) {
    var css = [button.getAttribute("data-leaflet-css")];
    if (cluster) css = css.concat(button.getAttribute("data-cluster-css").split(" "));
    css.forEach(function (href) { load("link", { rel: "stylesheet", href: href }); });
    var ready = window.L ? Promise.resolve() : load("script", { src: button.getAttribute("data-leaflet-js") });
    if (cluster) {
      ready = ready.then(function () {
        return L.markerClusterGroup ? null : load("script", { src: button.getAttribute("data-cluster-js") });
      });
    }
    return ready;
  }

  function baseMap(box, button, centre, zoom) {
    var map = L.map(box, { maxZoom: 19 }).setView(centre, zoom);
    var tiles = button.getAttribute("data-tiles");
    if (tiles) {
      L.tileLayer(tiles, { maxZoom: 19, attribution: button.getAttribute("data-attribution") || "" }).addTo(map);
    } else {
      box.classList.add("no-tiles");
    }
    return map;
  }

  function dot(latlng, colour, radius) {
    return L.circleMarker(latlng, { radius: radius || 7, weight: 2, color: "#fff", fillColor: colour, fillOpacity: 0.9 });
  }

  function link(href, text) {
    var a = document.createElement("a");
    a.href = href; a.textContent = text;
    return a;
  }

  // The queue: every report of the current filter, clustered, beside the list. On a wide
  // screen the map is on from the start; on a narrow one it waits for the button.
  var queueButton = $("show-queue-map");
  function showQueueMap() {
    var box = $("queue-map");
    box.hidden = false;
    queueButton.hidden = true;
    leaflet(queueButton, true).then(function () {
      return fetch(queueButton.getAttribute("data-url"), { credentials: "same-origin" });
    }).then(function (r) { return r.json(); }).then(function (data) {
      var map = baseMap(box, queueButton, [35.367, 132.755], 13);
      var group = L.markerClusterGroup({ maxClusterRadius: 50 });
      data.features.forEach(function (f) {
        if (!f.geometry) return;
        var c = f.geometry.coordinates, p = f.properties;
        var colour = p.danger ? "#a40000" : (p.priority >= 60 ? "#a40000" : (p.priority >= 35 ? "#b35900" : "#0b5cad"));
        var marker = dot([c[1], c[0]], colour);
        var popup = document.createElement("div");
        popup.appendChild(link("/manage/reports/" + p.number + "/", p.number));
        var words = [p.category_label || p.category, p.status_label || p.status].filter(Boolean);
        popup.appendChild(document.createTextNode(" " + words.join(" · ") + " · " + p.priority));
        marker.bindPopup(popup);
        group.addLayer(marker);
      });
      map.addLayer(group);
      if (group.getLayers().length) map.fitBounds(group.getBounds(), { maxZoom: 17, padding: [20, 20] });
      var area = document.createElement("button");
      area.type = "button"; area.className = "secondary";
      area.textContent = queueButton.getAttribute("data-t-area");
      area.addEventListener("click", function () {
        var b = map.getBounds(), form = document.querySelector("form.filters");
        form.elements.bbox.value = [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()]
          .map(function (n) { return n.toFixed(6); }).join(",");
        form.submit();
      });
      box.parentNode.insertBefore(area, box.nextSibling);
    }).catch(function () { box.textContent = queueButton.getAttribute("data-t-failed"); });
  }
  if (queueButton) {
    if (window.matchMedia("(min-width: 70rem)").matches) {
      showQueueMap();
    } else {
      queueButton.hidden = false;
      queueButton.addEventListener("click", showQueueMap);
    }
  }

  // The queue's bulk bar: the fields of the chosen action, and how many are ticked.
  var bulk = $("bulk");
  if (bulk) {
    var ticks = function () { return document.querySelectorAll("input[name=r][form=bulk]"); };
    var count = $("bulk-count"), all = $("tick-all");
    var counted = function () {
      var n = 0;
      ticks().forEach(function (t) { if (t.checked) n += 1; });
      count.textContent = n ? count.getAttribute("data-t-some").replace("%(count)s", n) : count.getAttribute("data-t-none");
      if (all) all.checked = n > 0 && n === ticks().length;
    };
    var fields = function () {
      var action = bulk.elements.action.value;
      bulk.querySelectorAll("[data-for]").forEach(function (f) {
        f.hidden = f.getAttribute("data-for") !== action;
      });
    };
    ticks().forEach(function (t) { t.addEventListener("change", counted); });
    if (all) {
      all.hidden = false;
      all.addEventListener("change", function () {
        ticks().forEach(function (t) { t.checked = all.checked; });
        counted();
      });
    }
    bulk.elements.action.addEventListener("change", fields);
    fields(); counted();
  }

  // A plan's works: one dot each, darker for the earlier fiscal years.
  var planButton = $("show-plan-map");
  if (planButton) {
    planButton.hidden = false;
    planButton.addEventListener("click", function () {
      var box = $("plan-map");
      box.hidden = false;
      planButton.disabled = true;
      leaflet(planButton, true).then(function () {
        return fetch(planButton.getAttribute("data-url"), { credentials: "same-origin" });
      }).then(function (r) { return r.json(); }).then(function (data) {
        var map = baseMap(box, planButton, [35.367, 132.755], 13);
        var group = L.markerClusterGroup({ maxClusterRadius: 40 });
        var first = Math.min.apply(null, data.features.map(function (f) { return f.properties.fiscal_year; }));
        var colours = ["#a40000", "#b35900", "#0b5cad", "#4a4a4a"];
        data.features.forEach(function (f) {
          var c = f.geometry.coordinates, p = f.properties;
          var marker = dot([c[1], c[0]], colours[Math.min(3, Math.floor((p.fiscal_year - first) / 3))]);
          var popup = document.createElement("div");
          popup.appendChild(link("/manage/inspections/assets/" + p.asset + "/", p.ledger_id));
          popup.appendChild(document.createTextNode(" FY" + p.fiscal_year + " · " + p.action + " · ¥" + p.cost_yen.toLocaleString()));
          marker.bindPopup(popup);
          group.addLayer(marker);
        });
        map.addLayer(group);
        if (group.getLayers().length) map.fitBounds(group.getBounds(), { maxZoom: 17, padding: [20, 20] });
      }).catch(function () { box.textContent = planButton.getAttribute("data-t-failed"); });
    });
  }

  // One report: where it is, its asset and the open reports around it.
  var reportButton = $("show-report-map");
  if (reportButton) {
    reportButton.hidden = false;
    reportButton.addEventListener("click", function () {
      var box = $("report-map"), data = JSON.parse($("map-data").textContent);
      box.hidden = false;
      reportButton.disabled = true;
      leaflet(reportButton, false).then(function () {
        var map = baseMap(box, reportButton, data.report, 18);
        var bounds = [data.report];
        data.nearby.forEach(function (n) {
          var m = dot([n[0], n[1]], "#4a4a4a", 6).addTo(map);
          m.bindPopup(link("/manage/reports/" + n[2] + "/", n[2]));
          bounds.push([n[0], n[1]]);
        });
        if (data.asset) { dot(data.asset, "#0b5cad", 6).addTo(map); bounds.push(data.asset); }
        dot(data.report, "#a40000", 9).addTo(map);
        if (bounds.length > 1) map.fitBounds(bounds, { maxZoom: 19, padding: [30, 30] });
      });
    });
  }

  // Phone intake: a click on the map fills in latitude and longitude.
  var intakeButton = $("show-intake-map");
  if (intakeButton) {
    intakeButton.hidden = false;
    intakeButton.addEventListener("click", function () {
      var box = $("intake-map"), form = intakeButton.form;
      box.hidden = false;
      intakeButton.disabled = true;
      leaflet(intakeButton, false).then(function () {
        var lat = parseFloat(form.elements.lat.value), lon = parseFloat(form.elements.lon.value);
        var centre = intakeButton.getAttribute("data-center").split(",").map(parseFloat);
        var start = isNaN(lat) || isNaN(lon) ? centre : [lat, lon];
        var map = baseMap(box, intakeButton, start, isNaN(lat) ? 14 : 18);
        var marker = null;
        function put(ll) {
          form.elements.lat.value = ll.lat.toFixed(7);
          form.elements.lon.value = ll.lng.toFixed(7);
          if (marker) marker.setLatLng(ll); else marker = L.marker(ll, { keyboard: true }).addTo(map);
        }
        if (!isNaN(lat) && !isNaN(lon)) put(L.latLng(lat, lon));
        map.on("click", function (e) { put(e.latlng); });
      });
    });
  }
})();
