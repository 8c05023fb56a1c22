// The map beside the list (Leaflet, loaded when first shown): one dot per asset coloured by
// its last grade, drawn on a canvas (thousands stay light); a dot opens the asset. Tiles come
// from the city's tile server when one is set, and the service worker keeps those viewed.
// In "area" mode the map offers to download the work pack of the box on screen.

import { pointOf, position } from "./geo.js";
import { config, h, name, script, stylesheet, t } from "./ui.js";

let map = null;
let layer = null;

const COLOURS = { action: "#b00020", watch: "#8a5a00", good: "#0b6e3d", none: "#444" };

function kind(type, code) {
  const grade = type?.scale?.grades?.find((g) => g.code === code);
  return !grade ? "none" : grade.calls_for_action ? "action" : grade.rank === 1 ? "good" : "watch";
}

export async function assetMap(box, assets, types, { area = false, onArea } = {}) {
  stylesheet(config.static.leafletCss);
  await script(config.static.leaflet);
  const L = window.L;
  if (map && map.getContainer() !== box) {
    map.remove();
    map = null;
  }
  if (!map) {
    map = L.map(box, { preferCanvas: true, zoomControl: true });
    if (config.tiles.url) {
      L.tileLayer(config.tiles.url, { attribution: config.tiles.attribution, maxZoom: 18, crossOrigin: true }).addTo(map);
    }
  }
  if (layer) layer.remove();
  layer = L.featureGroup();
  for (const asset of assets) {
    const p = pointOf(asset.geometry);
    if (!p) continue;
    const k = kind(types[asset.type], asset.condition.grade);
    L.circleMarker([p.lat, p.lon], { radius: 9, weight: 2, color: "#fff", fillColor: COLOURS[k], fillOpacity: 0.95 })
      .bindPopup(() => h("a", { href: `#/asset/${asset.id}`, text: `${asset.ledger} ${name(types[asset.type])}` }))
      .addTo(layer);
  }
  layer.addTo(map);
  const here = position();
  if (assets.length && !area) map.fitBounds(layer.getBounds(), { padding: [24, 24], maxZoom: 17 });
  else if (here) map.setView([here.lat, here.lon], 17);
  else map.setView([config.center.lat, config.center.lon], config.zoom);
  if (area && onArea) {
    const control = L.control({ position: "topright" });
    control.onAdd = () => {
      const button = h("button", { class: "primary big map-action", type: "button", text: t("area_download") });
      L.DomEvent.disableClickPropagation(button);
      button.addEventListener("click", () => {
        const b = map.getBounds();
        onArea([b.getWest(), b.getSouth(), b.getEast(), b.getNorth()]);
      });
      return button;
    };
    control.addTo(map);
  }
  setTimeout(() => map.invalidateSize(), 0);
  return map;
}
