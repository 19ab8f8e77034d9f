// Starts ReDoc on /api/v1/redoc/ (an inline script would be refused by the page's policy).
(function () {
  "use strict";
  var container = document.getElementById("redoc-container");
  var options = container.dataset.settings ? JSON.parse(container.dataset.settings) : {};
  // styled-components puts this nonce on the style elements it writes.
  options.nonce = container.dataset.nonce;
  window.Redoc.init(container.dataset.specUrl, options, container);
})();
