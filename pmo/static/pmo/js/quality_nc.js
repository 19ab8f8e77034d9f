/* Raising a non-conformance: the due date follows the severity (the organisation's days) until edited by hand. */
(function () {
  "use strict";
  function ready() {
    var severity = document.getElementById("id_severity");
    var due = document.getElementById("id_due_date");
    if (!severity || !due) { return; }
    var suggested = due.value;
    due.addEventListener("input", function () { suggested = null; });
    severity.addEventListener("change", function () {
      var date = due.getAttribute("data-due-" + severity.value);
      if (date && suggested !== null && due.value === suggested) {
        due.value = date;
        suggested = date;
      }
    });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", ready); } else { ready(); }
})();
