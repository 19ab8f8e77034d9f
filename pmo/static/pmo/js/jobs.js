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

  function started() {
    var badge = card.querySelector(".job-status");
    var running = card.getAttribute("data-running-label");
    if (badge && running) {
      badge.textContent = running;
      badge.className = "badge badge-amber job-status";
    }
    var waiting = card.querySelector(".job-waiting-what");
    var working = card.getAttribute("data-working-label");
    if (waiting && working) { waiting.textContent = working; }
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.json();
      })
      .then(function (job) {
        show(job.percent);
        if (job.status === "done" || job.status === "failed") {
          // Ended: the page shows itself again with what is new (the result, the report, the errors).
          window.location.reload();
          return;
        }
        if (job.status !== shown) {
          shown = job.status;
          started();
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
