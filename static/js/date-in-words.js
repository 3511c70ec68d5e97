/* The staff workspace's date fields (cases/admin/dates.py): the date being typed, in words,
   beside the field, read as the server reads it (day first). Once it has been shown, the form
   may save it without asking again. Without JavaScript the server asks on the first save. */
"use strict";
(function () {
  function read(text, dayFirst) {
    text = text.trim().replace(/\s+/g, " ");
    var m = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(text);
    var y, mo, d;
    if (m) {
      y = +m[1]; mo = +m[2]; d = +m[3];
    } else {
      m = /^(\d{1,2})([/.\-])(\d{1,2})\2(\d{4})$/.exec(text);
      if (!m) return null;
      y = +m[4];
      d = dayFirst ? +m[1] : +m[3];
      mo = dayFirst ? +m[3] : +m[1];
    }
    var date = new Date(Date.UTC(y, mo - 1, d));
    if (date.getUTCFullYear() !== y || date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d) {
      return null;
    }
    return date;
  }
  function update(input) {
    var words = document.getElementById(input.id + "_in_words");
    var shown = input.form && input.form.elements[input.name + "__shown"];
    if (!words || !shown) return;
    var date = read(input.value, input.dataset.dayFirst !== "false");
    if (!date) {
      if (input.value.trim() !== shown.value) words.textContent = "";
      return;
    }
    // As the server writes it (WORDS_FORMAT, "l j F Y"), in the page's language.
    var months = (words.dataset.months || "").split(",");
    var days = (words.dataset.days || "").split(",");
    var text = [days[(date.getUTCDay() + 6) % 7], date.getUTCDate(), months[date.getUTCMonth()],
      date.getUTCFullYear()].join(" ");
    words.textContent = (words.dataset.label || "%(date)s").replace("%(date)s", text);
    shown.value = input.value.trim().replace(/\s+/g, " ");
  }
  function watch(root) {
    root.querySelectorAll("input.vDateField[data-day-first]").forEach(function (input) {
      if (input.dataset.inWords) return;
      input.dataset.inWords = "yes";
      ["input", "change", "blur"].forEach(function (event) {
        input.addEventListener(event, function () { update(input); });
      });
    });
  }
  document.addEventListener("DOMContentLoaded", function () { watch(document); });
  // The calendar and "Today" set the value without an input event: check now and then.
  document.addEventListener("click", function () {
    setTimeout(function () {
      document.querySelectorAll("input.vDateField[data-day-first]").forEach(update);
    }, 0);
  });
}());
