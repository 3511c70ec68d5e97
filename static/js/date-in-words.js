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
  // As the server writes it (WORDS_FORMAT: the weekday and the language's DATE_FORMAT, such as
  // "l j F Y" or "l j E Y г."), in the page's language: the letters of Django's date format
  // that those formats use, a backslash before a letter written as it is.
  function inWords(date, data) {
    var months = (data.months || "").split(",");
    var monthsAlt = (data.monthsAlt || data.months || "").split(",");
    var days = (data.days || "").split(",");
    var values = {
      l: days[(date.getUTCDay() + 6) % 7],
      j: date.getUTCDate(),
      d: ("0" + date.getUTCDate()).slice(-2),
      F: months[date.getUTCMonth()],
      E: monthsAlt[date.getUTCMonth()],
      n: date.getUTCMonth() + 1,
      m: ("0" + (date.getUTCMonth() + 1)).slice(-2),
      Y: date.getUTCFullYear()
    };
    var format = data.format || "l j F Y", text = "";
    for (var i = 0; i < format.length; i++) {
      var letter = format.charAt(i);
      if (letter === "\\") text += format.charAt(++i);
      else text += Object.prototype.hasOwnProperty.call(values, letter) ? values[letter] : letter;
    }
    return text;
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
    var text = inWords(date, words.dataset);
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
