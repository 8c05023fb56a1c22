/* The admin's map widget (assets/widgets.py): OpenLayers 7 from static/vendor/ol, no CDN.
 *
 * The textarea is the form field and holds GeoJSON in lon/lat (EPSG:4326); the map shows
 * Web Mercator. Without a tile server the map still helps: a graticule, a scale line, the
 * pointer's coordinates, and the assets already registered nearby.
 */
/* global ol */
'use strict';
(function () {
    const WGS84 = 'EPSG:4326';

    const editStyle = new ol.style.Style({
        image: new ol.style.Circle({
            radius: 7,
            fill: new ol.style.Fill({color: '#d9480f'}),
            stroke: new ol.style.Stroke({color: '#ffffff', width: 2})
        }),
        stroke: new ol.style.Stroke({color: '#d9480f', width: 3}),
        fill: new ol.style.Fill({color: 'rgba(217, 72, 15, 0.2)'})
    });

    // While drawing, and the handle on a vertex under the pointer: rings, so the point
    // already placed stays visible beneath them.
    const drawStyle = new ol.style.Style({
        image: new ol.style.Circle({
            radius: 5, stroke: new ol.style.Stroke({color: '#d9480f', width: 1.5})
        }),
        stroke: new ol.style.Stroke({color: '#d9480f', width: 2, lineDash: [6, 4]}),
        fill: new ol.style.Fill({color: 'rgba(217, 72, 15, 0.1)'})
    });
    const handleStyle = new ol.style.Style({
        image: new ol.style.Circle({
            radius: 10, stroke: new ol.style.Stroke({color: '#d9480f', width: 2})
        })
    });

    const nearbyBase = {
        image: new ol.style.Circle({
            radius: 4,
            fill: new ol.style.Fill({color: 'rgba(52, 84, 122, 0.6)'}),
            stroke: new ol.style.Stroke({color: '#ffffff', width: 1})
        }),
        stroke: new ol.style.Stroke({color: 'rgba(52, 84, 122, 0.7)', width: 2}),
        fill: new ol.style.Fill({color: 'rgba(52, 84, 122, 0.12)'})
    };
    const nearbyStyle = new ol.style.Style(nearbyBase);
    const labelFill = new ol.style.Fill({color: '#1f2d3d'});
    const labelHalo = new ol.style.Stroke({color: '#ffffff', width: 3});

    function labelStyle(feature) {
        return new ol.style.Style({
            text: new ol.style.Text({
                text: feature.get('label') || '',
                font: '11px sans-serif',
                offsetY: -12,
                fill: labelFill,
                stroke: labelHalo
            })
        });
    }

    function halfWidthed(text) {
        // Japanese input methods often type full-width digits and commas (３５．３６、…).
        return text.replace(/[\uFF01-\uFF5E]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xFEE0))
            .replace(/[、､]/g, ',');
    }

    class MachimoriMap {
        constructor(root) {
            const o = JSON.parse(document.getElementById(root.dataset.options).textContent);
            this.options = o;
            this.root = root;
            this.textarea = document.getElementById(o.id);
            this.statusNode = root.querySelector('.mm-map-status');
            this.latlon = root.querySelector('.mm-latlon');
            this.setPointButton = root.querySelector('.mm-set-point');
            this.radios = Array.from(root.querySelectorAll('.mm-draw-kind input[type=radio]'));
            this.kindNote = root.querySelector('.mm-kind-note');
            this.kindSelect = (o.kindField && this.textarea.form) ?
                this.textarea.form.elements.namedItem(o.kindField) : null;
            this.format = new ol.format.GeoJSON();
            this.features = new ol.Collection();
            this.quiet = false;
            this.draw = null;
            this.drawType = null;

            const layers = [];
            if (o.tileUrl) {
                layers.push(new ol.layer.Tile({
                    source: new ol.source.XYZ({
                        url: o.tileUrl,
                        attributions: o.tileAttribution || undefined,
                        maxZoom: 19
                    })
                }));
            } else {
                layers.push(new ol.layer.Graticule({
                    strokeStyle: new ol.style.Stroke({
                        color: 'rgba(40, 40, 40, 0.25)', width: 1, lineDash: [4, 4]
                    }),
                    showLabels: true,
                    wrapX: false
                }));
            }
            if (o.nearbyUrl) {
                layers.push(...this.nearbyLayers());
            }
            layers.push(new ol.layer.Vector({
                source: new ol.source.Vector({features: this.features, useSpatialIndex: false}),
                style: editStyle,
                updateWhileAnimating: true,
                updateWhileInteracting: true
            }));

            this.map = new ol.Map({
                target: o.id + '_map',
                layers: layers,
                view: new ol.View({center: ol.proj.fromLonLat(o.center), zoom: o.zoom, maxZoom: 21})
            });
            if (this.onMoveEnd) {
                this.map.on('moveend', this.onMoveEnd);
            }
            this.map.addControl(new ol.control.ScaleLine());
            this.map.addControl(new ol.control.MousePosition({
                projection: WGS84,
                className: 'mm-mouse-position',
                placeholder: '',
                coordinateFormat: (c) => c[1].toFixed(6) + ', ' + c[0].toFixed(6)
            }));

            this.features.on('add', (event) => {
                event.element.on('change', () => this.serialize());
                this.serialize();
            });
            this.features.on('remove', () => this.serialize());

            const initial = this.textarea.value.trim();
            if (initial) {
                this.showText(initial, true);
            }
            if (o.disabled) {
                return;
            }
            this.modify = new ol.interaction.Modify({
                features: this.features,
                style: handleStyle,
                deleteCondition: (e) => ol.events.condition.shiftKeyOnly(e) &&
                    ol.events.condition.singleClick(e)
            });
            this.setDrawType(this.wantedDrawType());
            this.listen();
        }

        listen() {
            this.textarea.addEventListener('change', () => this.showText(this.textarea.value, true));
            if (this.kindSelect) {
                this.kindSelect.addEventListener('change', () => this.setDrawType(this.wantedDrawType()));
            }
            this.radios.forEach((radio) => radio.addEventListener('change', () => {
                this.setDrawType(this.wantedDrawType());
            }));
            if (this.setPointButton) {
                this.setPointButton.addEventListener('click', () => this.setFromLatLon());
            }
            if (this.latlon) {
                this.latlon.addEventListener('keydown', (event) => {
                    if (event.key === 'Enter') {
                        event.preventDefault(); // Enter would submit the whole admin form
                        this.setFromLatLon();
                    }
                });
            }
            const clear = this.root.querySelector('.mm-clear');
            if (clear) {
                clear.addEventListener('click', () => this.clear());
            }
        }

        nearbyLayers() {
            const o = this.options;
            const self = this;
            this.nearbyTruncated = false;
            const source = new ol.source.Vector({
                strategy: ol.loadingstrategy.bbox,
                loader(extent, resolution, projection, success, failure) {
                    const box = ol.proj.transformExtent(extent, projection, WGS84);
                    const bbox = [
                        Math.max(box[0], -180), Math.max(box[1], -90),
                        Math.min(box[2], 180), Math.min(box[3], 90)
                    ];
                    const url = new URL(o.nearbyUrl, window.location.href);
                    url.searchParams.set('bbox', bbox.map((n) => n.toFixed(6)).join(','));
                    fetch(url, {credentials: 'same-origin', headers: {Accept: 'application/geo+json'}})
                        .then((response) => {
                            if (!response.ok) {
                                throw new Error('HTTP ' + response.status);
                            }
                            return response.json();
                        })
                        .then((data) => {
                            const features = self.format.readFeatures(data, {
                                dataProjection: WGS84, featureProjection: projection
                            });
                            source.addFeatures(features);
                            if (data.truncated) {
                                self.nearbyTruncated = true;
                                self.say(o.messages.nearby_truncated);
                            }
                            success(features);
                        })
                        .catch(() => {
                            source.removeLoadedExtent(extent);
                            self.say(o.messages.nearby_failed);
                            failure();
                        });
                }
            });
            this.nearbySource = source;
            const shapes = new ol.layer.Vector({source: source, style: nearbyStyle, minZoom: 12});
            // Labels in a layer of their own: decluttering drops labels that would overlap,
            // but must never drop an asset's mark. Only from about 1 m a pixel, to be legible.
            const labels = new ol.layer.Vector({
                source: source, style: labelStyle, declutter: true, minZoom: 16.5
            });
            // A truncated answer must not stand for its whole box: after the next move, load
            // again for the new view (not from inside the loader, which would loop).
            this.onMoveEnd = () => {
                if (this.nearbyTruncated) {
                    this.nearbyTruncated = false;
                    source.refresh();
                }
            };
            return [shapes, labels];
        }

        wantedDrawType() {
            const o = this.options;
            if (o.drawType) {
                return o.drawType;
            }
            const kind = this.kindSelect ? o.kinds[this.kindSelect.value] : null;
            this.radios.forEach((radio) => {
                if (kind) {
                    radio.checked = radio.value === kind;
                }
                radio.disabled = Boolean(kind) && radio.value !== kind;
            });
            if (this.kindNote) {
                this.kindNote.hidden = !kind;
            }
            const checked = this.radios.find((radio) => radio.checked);
            return kind || (checked ? checked.value : 'Point');
        }

        setDrawType(type) {
            if (this.draw) {
                this.map.removeInteraction(this.draw);
            }
            this.drawType = type;
            this.draw = new ol.interaction.Draw({type: type, style: drawStyle});
            this.draw.on('drawend', (event) => {
                if (!this.options.isCollection) {
                    this.features.clear(); // one geometry: a new drawing replaces the old
                }
                this.features.push(event.feature);
                this.refreshDrawing();
            });
            this.map.addInteraction(this.draw);
            // Modify goes last so it sees the pointer first: dragging a vertex must not also
            // start a new drawing.
            this.map.removeInteraction(this.modify);
            this.map.addInteraction(this.modify);
            if (this.latlon) {
                // Typed coordinates make a point; lines and areas are drawn or pasted.
                this.latlon.disabled = this.setPointButton.disabled = type !== 'Point';
            }
            this.refreshDrawing();
        }

        refreshDrawing() {
            if (!this.draw) {
                return;
            }
            // A point is moved by clicking elsewhere; a finished line or area is edited by
            // dragging its vertices, so stray clicks must not start a new one.
            const done = !this.options.isCollection && this.drawType !== 'Point' &&
                this.features.getArray().some((f) => f.getGeometry().getType() === this.drawType);
            this.draw.setActive(!done);
        }

        geometry() {
            const geometries = this.features.getArray().map((f) => f.getGeometry());
            if (!geometries.length) {
                return null;
            }
            const type = this.options.geomType;
            if (!this.options.isCollection) {
                return geometries[geometries.length - 1];
            }
            const parts = [];
            geometries.forEach((g) => {
                if (g.getType().startsWith('Multi')) {
                    parts.push(...g.getCoordinates());
                } else {
                    parts.push(g.getCoordinates());
                }
            });
            return new ol.geom[type](parts);
        }

        serialize() {
            if (this.quiet) {
                return;
            }
            const geometry = this.geometry();
            if (!geometry) {
                this.textarea.value = '';
                return;
            }
            this.textarea.value = this.format.writeGeometry(geometry, {
                dataProjection: WGS84,
                featureProjection: this.map.getView().getProjection(),
                decimals: 7
            });
            if (this.latlon && geometry.getType() === 'Point') {
                const [lon, lat] = ol.proj.toLonLat(geometry.getCoordinates());
                this.latlon.value = lat.toFixed(6) + ', ' + lon.toFixed(6);
            }
        }

        parse(text) {
            text = text.trim();
            const projections = {
                dataProjection: WGS84, featureProjection: this.map.getView().getProjection()
            };
            if (text.startsWith('{')) {
                const data = JSON.parse(text);
                if (data.type === 'Feature') {
                    return this.format.readFeature(data, projections).getGeometry();
                }
                return this.format.readGeometry(data, projections);
            }
            // (E)WKT, as Django accepts it; HEXEWKB is left to the server.
            const match = /^SRID=(\d+);([\s\S]*)$/i.exec(text);
            if (match) {
                if (match[1] !== '4326' && match[1] !== '3857') {
                    throw new Error('unknown SRID');
                }
                projections.dataProjection = 'EPSG:' + match[1];
                text = match[2];
            }
            return new ol.format.WKT().readGeometry(text, projections);
        }

        showText(text, fit) {
            let geometry = null;
            if (text.trim()) {
                try {
                    geometry = this.parse(text);
                } catch (error) {
                    this.say(this.options.messages.unreadable);
                    return;
                }
            }
            // Show what was typed without rewriting it: the server reads it as given.
            this.quiet = true;
            this.features.clear();
            if (geometry) {
                this.features.push(new ol.Feature(geometry));
            }
            this.quiet = false;
            this.refreshDrawing();
            if (geometry && fit) {
                this.map.getView().fit(geometry.getExtent(), {maxZoom: 18, padding: [40, 40, 40, 40]});
            }
            if (geometry && this.latlon && geometry.getType() === 'Point') {
                const [lon, lat] = ol.proj.toLonLat(geometry.getCoordinates());
                this.latlon.value = lat.toFixed(6) + ', ' + lon.toFixed(6);
            }
        }

        setFromLatLon() {
            const messages = this.options.messages;
            if (this.drawType !== 'Point') {
                this.say(messages.not_point);
                return;
            }
            const numbers = (halfWidthed(this.latlon.value).match(/[-+]?\d+(?:\.\d+)?/g) || []).map(Number);
            if (numbers.length !== 2) {
                this.say(messages.bad_latlon);
                return;
            }
            let [lat, lon] = numbers;
            let note = '';
            // Japan's longitudes (122–154) cannot be latitudes: "132.75, 35.36" is lon, lat.
            if (Math.abs(lat) > 90 && Math.abs(lon) <= 90) {
                [lat, lon] = [lon, lat];
                note = ' ' + messages.swapped;
            }
            if (Math.abs(lat) > 90 || Math.abs(lon) > 180) {
                this.say(messages.bad_latlon);
                return;
            }
            const point = new ol.geom.Point(ol.proj.fromLonLat([lon, lat]));
            if (!this.options.isCollection) {
                this.features.clear();
            }
            this.features.push(new ol.Feature(point));
            this.map.getView().setCenter(point.getCoordinates());
            this.say(messages.placed.replace('%(lat)s', lat.toFixed(6))
                .replace('%(lon)s', lon.toFixed(6)) + note);
        }

        clear() {
            this.features.clear();
            this.textarea.value = '';
            if (this.latlon) {
                this.latlon.value = '';
            }
            this.refreshDrawing();
        }

        say(message) {
            if (this.statusNode) {
                this.statusNode.textContent = message;
            }
        }
    }

    function start() {
        // Reachable by field id, for the browser tests and for a look from the console.
        window.machimoriMaps = window.machimoriMaps || {};
        document.querySelectorAll('.mm-map-widget[data-options]').forEach((root) => {
            const widget = new MachimoriMap(root);
            window.machimoriMaps[widget.options.id] = widget;
        });
    }

    if (document.readyState === 'loading') {
        document.addEventListener('DOMContentLoaded', start);
    } else {
        start();
    }
})();
