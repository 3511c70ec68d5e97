/* The staff workspace's widgets (every admin page, templates/admin/base_site.html):
   - a choice among many (the other states involved) as a searchable multi-select, with the
     select2 that Django's admin ships, on the options the page already has;
   - names for the autocomplete widgets' own controls, which select2 leaves unnamed, taken
     from the label of the field they stand for; and select2's "clear" cross moved out of the
     list of chosen items, where it is not a list item. */
"use strict";
(function () {
  function labelOf(select) {
    var label = select.id && document.querySelector('label[for="' + select.id + '"]');
    return label ? label.textContent.replace(/[:\s]+$/, "").trim() : "";
  }

  function nameControls() {
    document.querySelectorAll("select.select2-hidden-accessible").forEach(function (select) {
      var container = select.nextElementSibling;
      var name = labelOf(select);
      if (!container || !container.classList.contains("select2") || !name) return;
      var selection = container.querySelector(".select2-selection");
      if (selection && selection.getAttribute("aria-label") !== name) {
        selection.removeAttribute("aria-labelledby");
        selection.setAttribute("aria-label", name);
      }
      var rendered = container.querySelector(".select2-selection__rendered[role=textbox]");
      if (rendered && rendered.getAttribute("aria-label") !== name) {
        rendered.setAttribute("aria-label", name);
      }
      container.querySelectorAll(".select2-search__field").forEach(function (field) {
        if (field.getAttribute("aria-label") !== name) field.setAttribute("aria-label", name);
      });
      container.querySelectorAll("ul.select2-selection__rendered > .select2-selection__clear")
        .forEach(function (clear) {
          var list = clear.parentNode;
          list.parentNode.insertBefore(clear, list);
        });
    });
  }

  function startAutocompletes() {
    var $ = window.django && window.django.jQuery;
    if (!$ || !$.fn.select2) return;
    $("select.choice-autocomplete").not(".select2-hidden-accessible").each(function () {
      $(this).select2({ width: "element", closeOnSelect: false });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    startAutocompletes();
    nameControls();
    var pending = false;
    new MutationObserver(function () {
      if (pending) return;
      pending = true;
      window.requestAnimationFrame(function () {
        pending = false;
        nameControls();
      });
    }).observe(document.body, { childList: true, subtree: true });
  });
}());
