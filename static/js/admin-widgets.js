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
      $(this).select2({ width: "element" });
    });
  }

  // A form too large for the server (DATA_UPLOAD_MAX_MEMORY_SIZE, files not counted) is not
  // sent: the server could only answer with an error page, and what was typed would be lost.
  function formBytes(form) {
    var encoder = new TextEncoder(), total = 0, largest = null, largestBytes = 0;
    Array.prototype.forEach.call(form.elements, function (field) {
      if (!field.name || field.disabled || field.type === "file") return;
      if ((field.type === "checkbox" || field.type === "radio") && !field.checked) return;
      var bytes = encoder.encode(field.name).length + encoder.encode(field.value || "").length;
      total += bytes + 2;
      if (bytes > largestBytes) { largestBytes = bytes; largest = field; }
    });
    return { total: total, largest: largest };
  }

  function megabytes(bytes) {
    return (bytes / 1048576).toFixed(1).replace(/\.0$/, "") + "\u00a0MB";
  }

  function refuseTooLarge(event) {
    var form = event.target;
    var meta = document.querySelector('meta[name="observatory-form-limit"]');
    if (!meta || !(form instanceof HTMLFormElement) || form.method.toLowerCase() !== "post") return;
    var limit = Number(meta.content), size = formBytes(form);
    if (!limit || size.total <= limit) return;
    event.preventDefault();
    var note = document.getElementById("form-too-large");
    if (!note) {
      note = document.createElement("p");
      note.id = "form-too-large";
      note.className = "errornote";
      note.setAttribute("role", "alert");
      form.insertBefore(note, form.firstChild);
    }
    var label = size.largest && size.largest.id &&
      document.querySelector('label[for="' + size.largest.id + '"]');
    note.textContent = meta.dataset.message
      .replace("%(size)s", megabytes(size.total))
      .replace("%(limit)s", megabytes(limit))
      .replace("%(field)s", label ? label.textContent.replace(/[:\s]+$/, "") : "");
    note.scrollIntoView();
    if (size.largest) size.largest.focus();
  }

  document.addEventListener("submit", refuseTooLarge);

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
