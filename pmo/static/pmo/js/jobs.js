// A job's page: follow the job through the API until it ends, then show the page again with its outcome.
(function () {
  "use strict";
  var card = document.getElementById("job");
  if (!card || !window.fetch) { return; }
  var url = card.getAttribute("data-job-url");
  var shown = card.getAttribute("data-job-status");
  var bar = document.getElementById("job-progress");
  var label = document.getElementById("job-percent");
  var delay = 700;

  function show(percent) {
    if (bar) { bar.value = percent; }
    if (label) { label.textContent = percent + " %"; }
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.json();
      })
      .then(function (job) {
        show(job.percent);
        if (job.status !== shown) {
          // Started, done or failed: the page says what is new (the result, the report, the errors).
          window.location.reload();
          return;
        }
        delay = 700;
        window.setTimeout(poll, delay);
      })
      .catch(function () {
        // A lost connection or a server restarting: ask again, less often.
        delay = Math.min(delay * 2, 10000);
        window.setTimeout(poll, delay);
      });
  }

  window.setTimeout(poll, delay);
})();
