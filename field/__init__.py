"""The inspectors' field app: an offline-first web app for tablets at /field/, on the
tablet API (/api/v1/). Django serves only its shell, service worker and manifest; the app
itself is plain ES modules in static/field/ that talk to the API and keep everything in
IndexedDB until it is synced."""
