// Small progressive enhancements; every page works without this file.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    // A RAG select shows its colour as soon as it changes (status reports).
    document.querySelectorAll("[data-rag-field]").forEach(function (field) {
      var select = field.querySelector("select");
      if (!select) { return; }
      select.addEventListener("change", function () {
        field.classList.remove("rag-green", "rag-amber", "rag-red");
        field.classList.add("rag-" + select.value);
      });
    });

    var nav = document.querySelector(".mainnav");
    var toggle = nav && nav.querySelector(".nav-toggle");
    if (toggle) {
      toggle.addEventListener("click", function () {
        var open = nav.classList.toggle("open");
        toggle.setAttribute("aria-expanded", open ? "true" : "false");
      });
    }

    // A "Copy" button copies the text of the element it names (shown only where the clipboard works).
    document.querySelectorAll("[data-copy]").forEach(function (button) {
      var source = document.getElementById(button.getAttribute("data-copy"));
      if (!source || !navigator.clipboard) { return; }
      button.hidden = false;
      button.addEventListener("click", function () {
        navigator.clipboard.writeText(source.textContent.trim()).then(function () {
          button.textContent = button.getAttribute("data-copied");
        });
      });
    });

    // Close an open header menu when the user clicks elsewhere or presses Escape.
    var menus = Array.prototype.slice.call(document.querySelectorAll("details.menu"));
    document.addEventListener("click", function (event) {
      menus.forEach(function (menu) {
        if (menu.open && !menu.contains(event.target)) { menu.open = false; }
      });
    });
    document.addEventListener("keydown", function (event) {
      if (event.key !== "Escape") { return; }
      menus.forEach(function (menu) {
        if (menu.open) { menu.open = false; menu.querySelector("summary").focus(); }
      });
    });
  });
})();
