/* The report form, improved when JavaScript runs; everything works without it. Small on
   purpose: old phones, weak networks. Plain ES5, no build step, no inline script (the
   Content-Security-Policy refuses it). Leaflet (the map) and exifr (a photo's EXIF) load
   only when asked for.

   With JavaScript the form is sent by XMLHttpRequest: photos shrunk to 1600 px first (their
   GPS position and time read from the original and sent beside them, since the shrunk copy
   has none), a progress bar, one send at a time; the receipt is then opened, and any other
   answer (the form with its errors) is shown in place of this page. */
(function () {
  "use strict";
  var MAX_SIDE = 1600, QUALITY = 0.8;
  var $ = function (id) { return document.getElementById(id); };
  var loaded = {};

  // A script or stylesheet, once: a promise of its load (resolved on failure as well).
  function load(tag, attrs) {
    var key = attrs.src || attrs.href;
    if (!loaded[key]) {
      loaded[key] = new Promise(function (done) {
        var el = document.createElement(tag);
        for (var k in attrs) el.setAttribute(k, attrs[k]);
        el.onload = el.onerror = function () { done(); };
        document.head.appendChild(el);
      });
    }
    return loaded[key];
  }

  function start() {
    var form = $("report-form");
    if (!form) return;
    var summary = $("error-summary");
    if (summary) summary.focus();
    var t = function (key) { return form.getAttribute("data-t-" + key) || key; };
    questions(form);
    kinds(form);
    var photos = window.Promise ? photoPicker(form) : null;
    placePicker(form, t);
    sender(form, t, photos);
  }

  // Show only the questions of the chosen fault category.
  function questions(form) {
    function show() {
      var chosen = form.querySelector("input[name=category]:checked");
      var blocks = form.querySelectorAll(".questions");
      for (var i = 0; i < blocks.length; i++) {
        blocks[i].hidden = !chosen || blocks[i].getAttribute("data-category") !== chosen.value;
      }
    }
    form.addEventListener("change", function (e) {
      if (e.target.name === "category") show();
    });
    show();
  }

  // /report/: one kind of thing open at a time, where <details name> is not known.
  function kinds(form) {
    if (window.HTMLDetailsElement && "name" in HTMLDetailsElement.prototype) return;
    var all = form.querySelectorAll("details.kind");
    for (var i = 0; i < all.length; i++) {
      all[i].addEventListener("toggle", function (e) {
        if (!e.target.open) return;
        for (var j = 0; j < all.length; j++) if (all[j] !== e.target) all[j].open = false;
      });
    }
  }

  // --- Photos: previews, then each one read and shrunk while the resident goes on ---------

  function photoPicker(form) {
    var input = $("id_photos"), previews = $("previews"), pending = null;
    if (!input) return null;
    input.addEventListener("change", function () {
      if (previews && window.URL && URL.createObjectURL) {
        previews.textContent = "";
        for (var i = 0; i < input.files.length && i < 5; i++) {
          var img = document.createElement("img");
          img.src = URL.createObjectURL(input.files[i]);
          img.alt = input.files[i].name;
          img.width = 80; img.height = 80;
          previews.appendChild(img);
        }
      }
      pending = prepareAll(form, Array.prototype.slice.call(input.files));
    });
    // The list of {file, name, exif} to send instead of the chosen files (null: as chosen).
    return { ready: function () { return pending || Promise.resolve(null); } };
  }

  function prepareAll(form, files) {
    if (!files.length) return Promise.resolve(null);
    var out = [], chain = Promise.resolve();
    files.forEach(function (file) {
      // One at a time: a 12-megapixel photo decoded takes 48 MB on an old phone.
      chain = chain.then(function () { return prepare(form, file); })
        .then(function (prepared) { out.push(prepared); });
    });
    return chain.then(function () { return out; }, function () { return null; });
  }

  function prepare(form, file) {
    var original = { file: file, name: file.name, exif: {} };
    return readExif(form, file).then(function (exif) {
      if (exif === null) return original; // unread: the original goes, the server reads it
      original.exif = exif;
      return shrink(file).then(function (blob) {
        if (!blob || blob.size >= file.size) return original;
        return { file: blob, name: file.name.replace(/\.[^.]*$/, "") + ".jpg", exif: exif };
      }, function () { return original; }); // HEIC and others the browser cannot decode
    });
  }

  // {lat, lon, taken} from the original's EXIF ({} when it has none); null if unreadable.
  function readExif(form, file) {
    return load("script", { src: form.getAttribute("data-exifr") }).then(function () {
      if (!window.exifr) return null;
      return window.exifr.parse(file, {
        ifd0: false, reviveValues: false,
        exif: ["DateTimeOriginal", "OffsetTimeOriginal"],
        gps: ["GPSLatitude", "GPSLatitudeRef", "GPSLongitude", "GPSLongitudeRef"]
      }).then(function (tags) {
        tags = tags || {};
        var lat = degrees(tags.GPSLatitude, tags.GPSLatitudeRef, "NS", 90);
        var lon = degrees(tags.GPSLongitude, tags.GPSLongitudeRef, "EW", 180);
        var exif = {};
        if (lat !== null && lon !== null && (lat || lon)) { exif.lat = lat; exif.lon = lon; }
        var when = /^(\d{4}):(\d\d):(\d\d) (\d\d:\d\d:\d\d)/.exec(tags.DateTimeOriginal || "");
        if (when) {
          var offset = /^[+-]\d\d:\d\d$/.exec(String(tags.OffsetTimeOriginal || "").trim());
          exif.taken = when[1] + "-" + when[2] + "-" + when[3] + "T" + when[4] + (offset ? offset[0] : "");
        }
        return exif;
      }, function () { return null; });
    });
  }

  // As the server reads EXIF (reports/exif.py): no reference, no position (a wrong
  // hemisphere is worse than none).
  function degrees(dms, ref, signs, bound) {
    ref = String(ref || "").trim().toUpperCase().charAt(0);
    if (!dms || dms.length !== 3 || !ref || signs.indexOf(ref) < 0) return null;
    if (dms[0] < 0 || dms[1] < 0 || dms[2] < 0 || dms[1] > 60 || dms[2] > 60) return null;
    var value = dms[0] + dms[1] / 60 + dms[2] / 3600;
    if (!isFinite(value) || value > bound) return null;
    return Math.round((ref === signs.charAt(1) ? -value : value) * 1e7) / 1e7;
  }

  function decode(file) {
    function viaImage() {
      return new Promise(function (ok, fail) {
        var img = new Image(), url = URL.createObjectURL(file);
        img.onload = function () { URL.revokeObjectURL(url); ok(img); };
        img.onerror = function () { URL.revokeObjectURL(url); fail(); };
        img.src = url;
      });
    }
    if (!window.createImageBitmap) return viaImage();
    try {
      return createImageBitmap(file, { imageOrientation: "from-image" }).catch(viaImage);
    } catch (e) {
      return viaImage();
    }
  }

  // A JPEG at most MAX_SIDE on its long side, upright; null when the photo is small already.
  function shrink(file) {
    return decode(file).then(function (image) {
      var width = image.naturalWidth || image.width, height = image.naturalHeight || image.height;
      var scale = Math.min(1, MAX_SIDE / Math.max(width, height));
      if (scale === 1 && file.type === "image/jpeg") return null;
      var canvas = document.createElement("canvas");
      canvas.width = Math.round(width * scale);
      canvas.height = Math.round(height * scale);
      var context = canvas.getContext("2d");
      context.imageSmoothingQuality = "high";
      context.drawImage(image, 0, 0, canvas.width, canvas.height);
      if (image.close) image.close();
      return new Promise(function (done) {
        canvas.toBlob(function (blob) { canvas.width = canvas.height = 0; done(blob); },
          "image/jpeg", QUALITY);
      });
    });
  }

  // --- Sending ------------------------------------------------------------------------------

  function sender(form, t, photos) {
    var xhrUpload = window.XMLHttpRequest && "upload" in new XMLHttpRequest();
    if (!photos || !window.FormData || !xhrUpload || !window.DOMParser) return;
    var box = $("send-progress"), bar = $("upload-progress"), status = $("upload-status");
    var sending = false, clicked = null, said = -1;

    function say(text) { box.hidden = false; status.textContent = text; }
    function size(bytes) {
      return bytes < 1048576 ? Math.max(1, Math.round(bytes / 1024)) + " KB"
        : (bytes / 1048576).toFixed(1) + " MB";
    }
    function progress(sent, total) {
      bar.max = total; bar.value = sent;
      var percent = Math.floor(sent * 100 / total);
      // A polite announcement every tenth, not at every event.
      if (Math.floor(percent / 10) === said) return;
      said = Math.floor(percent / 10);
      say(t("progress").replace("%(sent)s", size(sent)).replace("%(total)s", size(total))
        .replace("%(percent)s", percent + "%"));
    }
    function buttons(disabled) {
      var all = form.querySelectorAll("button[type=submit]");
      for (var i = 0; i < all.length; i++) all[i].disabled = disabled;
    }
    function again(message) {
      sending = false;
      buttons(false);
      say(message);
    }

    form.addEventListener("click", function (e) {
      if (e.target.type === "submit") clicked = e.target;
    });
    window.addEventListener("pageshow", function (e) {
      // Back from the receipt: the page as it was left may be sent again (same key).
      if (e.persisted && sending) { sending = false; buttons(false); box.hidden = true; }
    });
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      if (sending) return;
      sending = true;
      said = -1;
      var by = e.submitter || clicked;
      var data = new FormData(form);
      if (by && by.name) data.append(by.name, by.value);
      buttons(true);
      bar.removeAttribute("value");
      say(t("preparing"));
      photos.ready().then(function (prepared) {
        if (prepared) {
          data.delete("photos");
          prepared.forEach(function (photo) {
            data.append("photos", photo.file, photo.name);
            data.append("photo_lat", photo.exif.lat === undefined ? "" : photo.exif.lat);
            data.append("photo_lon", photo.exif.lon === undefined ? "" : photo.exif.lon);
            data.append("photo_taken_at", photo.exif.taken || "");
          });
        }
        send(data);
      });
    });

    function send(data) {
      var xhr = new XMLHttpRequest(), url = form.action;
      xhr.open("POST", url);
      xhr.upload.onprogress = function (e) { if (e.lengthComputable) progress(e.loaded, e.total); };
      xhr.upload.onload = function () { say(t("waiting")); };
      xhr.onload = function () {
        var landed = (xhr.responseURL || url).split("#")[0];
        if (landed !== url.split("#")[0] && xhr.status < 400) {
          window.location.assign(landed); // the receipt the form was redirected to
        } else if (/^text\/html/.test(xhr.getResponseHeader("Content-Type") || "")) {
          show(xhr.responseText); // the form again, with what is wrong: as a navigation would
        } else {
          again(t("lost"));
        }
      };
      xhr.onerror = xhr.ontimeout = xhr.onabort = function () { again(t("lost")); };
      xhr.send(data);
    }
  }

  function show(html) {
    var page = new DOMParser().parseFromString(html, "text/html");
    document.title = page.title;
    document.documentElement.replaceChild(document.adoptNode(page.body), document.body);
    window.scrollTo(0, 0);
    start();
  }

  // --- Location: the phone's position, or a pin on a map ------------------------------------

  function placePicker(form, t) {
    var status = $("location-status");
    var extras = form.querySelector(".js-only");
    if (!extras) return;
    extras.hidden = false;
    var map = null, marker = null, asked = false;

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

    $("show-map").addEventListener("click", function () {
      var box = $("map");
      box.hidden = false;
      $("map-help").hidden = false;
      if (asked || !window.Promise) return;
      asked = true;
      // The stylesheet first: Leaflet measures the box and places the pin by it.
      Promise.all([
        load("link", { rel: "stylesheet", href: form.getAttribute("data-leaflet-css") }),
        load("script", { src: form.getAttribute("data-leaflet-js") })
      ]).then(function () { map = drawMap(box); });
    });

    function drawMap(box) {
      var centre = (form.getAttribute("data-center") || "35.367,132.755").split(",");
      var lat = parseFloat(form.elements.lat.value) || parseFloat(centre[0]);
      var lon = parseFloat(form.elements.lon.value) || parseFloat(centre[1]);
      var map = L.map(box).setView([lat, lon], 17);
      var tiles = form.getAttribute("data-tiles");
      if (tiles) {
        // GSI's standard map (the default) has tiles to zoom 18; closer, they are enlarged.
        L.tileLayer(tiles, { maxZoom: 19, maxNativeZoom: 18,
          attribution: form.getAttribute("data-attribution") || "" }).addTo(map);
      } else {
        box.classList.add("no-tiles");
      }
      // The pin's images by their static URLs: Leaflet's own guess reads leaflet.css, whose
      // hashed names (collectstatic) it does not recognise.
      var icon = L.icon({
        iconUrl: box.getAttribute("data-icon"), iconRetinaUrl: box.getAttribute("data-icon-2x"),
        shadowUrl: box.getAttribute("data-shadow"), iconSize: [25, 41], iconAnchor: [12, 41],
        tooltipAnchor: [0, -41], shadowSize: [41, 41]
      });
      marker = L.marker([lat, lon], { draggable: true, keyboard: true, title: t("pin"),
        alt: t("pin"), icon: icon }).addTo(map);
      marker.bindTooltip(t("pin"), { permanent: true, direction: "top" });
      marker.on("dragend", function () {
        var p = marker.getLatLng(); setPlace(p.lat, p.lng, null, "map");
      });
      // The pin by keyboard: arrow keys move it 10 px (with Shift 50 px) instead of the map.
      marker.getElement().addEventListener("keydown", function (e) {
        var step = e.shiftKey ? 50 : 10;
        var move = { ArrowUp: [0, -step], ArrowDown: [0, step], ArrowLeft: [-step, 0],
          ArrowRight: [step, 0], Up: [0, -step], Down: [0, step], Left: [-step, 0],
          Right: [step, 0] }[e.key];
        if (!move) return;
        e.preventDefault();
        e.stopPropagation();
        var p = map.containerPointToLatLng(
          map.latLngToContainerPoint(marker.getLatLng()).add(L.point(move[0], move[1])));
        setPlace(p.lat, p.lng, null, "map");
        map.panInside(p);
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
      return map;
    }
  }

  start();
})();
