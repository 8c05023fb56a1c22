/* Work orders: the print button (the page's Content-Security-Policy refuses inline scripts).
   Without JavaScript the browser's own print command prints the same sheets. */
(function () {
  "use strict";
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });
})();
