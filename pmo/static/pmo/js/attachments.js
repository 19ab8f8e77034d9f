// Attachment forms: name the files chosen in either picker before they are sent.
(function () {
  "use strict";
  document.querySelectorAll("form.attachment-upload").forEach(function (form) {
    var out = form.querySelector(".attachment-chosen");
    if (!out) { return; }
    form.addEventListener("change", function () {
      var names = [];
      form.querySelectorAll("input[type=file]").forEach(function (input) {
        Array.prototype.forEach.call(input.files || [], function (file) { names.push(file.name); });
      });
      out.textContent = names.join(", ");
    });
  });
})();
