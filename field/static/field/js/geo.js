// Where the tablet is (watched while the app is open) and distances between points.

let last = null;
let watcher = null;
const listeners = new Set();

export function position() {
  return last;
}

export function watch(listener) {
  if (listener) listeners.add(listener);
  if (watcher === null && navigator.geolocation) {
    watcher = navigator.geolocation.watchPosition(
      (p) => {
        last = { lat: p.coords.latitude, lon: p.coords.longitude, accuracy: p.coords.accuracy };
        for (const l of listeners) l(last);
      },
      () => {},
      { enableHighAccuracy: true, maximumAge: 15000, timeout: 30000 },
    );
  }
  return () => listeners.delete(listener);
}

// Metres between two {lat, lon}: equirectangular, exact enough within a city.
export function metres(a, b) {
  const rad = Math.PI / 180;
  const x = (b.lon - a.lon) * rad * Math.cos(((a.lat + b.lat) / 2) * rad);
  const y = (b.lat - a.lat) * rad;
  return Math.sqrt(x * x + y * y) * 6371000;
}

// A point of any geometry: the point itself, a line's middle vertex, a polygon's first ring's.
export function pointOf(geometry) {
  if (!geometry) return null;
  let c = geometry.coordinates;
  while (Array.isArray(c) && Array.isArray(c[0])) c = c[Math.floor(c.length / 2)];
  return Array.isArray(c) ? { lon: c[0], lat: c[1] } : null;
}
