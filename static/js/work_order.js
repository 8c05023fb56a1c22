/* Work orders: the print button (the page's Content-Security-Policy refuses inline scripts),
   and map tiles that fail taken away. Without JavaScript the browser's own print command
   prints the same sheets. */
(function () {
  "use strict";
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });
  // Map tiles that cannot load (no internet, as on LGWAN) would print as broken-image
  // icons over the coordinates: each tile is tried first and taken away when it fails.
  document.querySelectorAll("svg image[href]").forEach(function (tile) {
    var probe = new Image();
    probe.onerror = function () { tile.remove(); };
    probe.src = tile.getAttribute("href");
  });
})();
