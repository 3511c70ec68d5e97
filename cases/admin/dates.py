"""
Dates as staff type them. A timeline is a list of dated events, and "04/03/2026" read the
American way (3 April) puts an event a month off without anyone noticing. So the workspace's
date fields read dates in the order the language writes them (observatory/formats/: day first
in English and French), refuse what reads only the other way round ("03/24/2026") or has a
two-digit year, and show every date back in words ("Wednesday 4 March 2026") beside the field.

A day-first date whose day could also be a month (04/03/2026, not 24/03/2026 or 04/04/2026)
is saved only once its reading has been shown: the first save without it is refused with the
date in words, and saving the same text again confirms it. With JavaScript the reading is shown
as one types (static/js/date-in-words.js), and the form is then saved at once.
"""

import datetime
import re
import unicodedata

from django import forms
from django.contrib.admin.widgets import AdminDateWidget
from django.core.exceptions import ValidationError
from django.utils import dates, formats, translation
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

# The hidden input beside each date field: the text whose reading the page showed.
READ_SUFFIX = "__shown"
# A date in words is the weekday and the language's DATE_FORMAT: "Wednesday 4 March 2026",
# "miércoles 4 de marzo de 2026", "среда 4 марта 2026 г." (the month in the genitive).
WORDS_FORMAT = "l {DATE_FORMAT}"

_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_NUMERIC = re.compile(r"^(\d{1,2})([/.\-])(\d{1,2})\2(\d{4})$")
_SHORT_YEAR = re.compile(r"^\d{1,2}([/.\-])\d{1,2}\1\d{2}$")
# "4 March 2026", "1er mars 2026", "4 de marzo de 2026", "4 марта 2026 г." (or "года").
_DAY_MONTH_YEAR = re.compile(
    r"^(\d{1,2})(?:er|st|nd|rd|th|-?го)?\.?\s+(?:de\s+)?([^\W\d_]+)\.?,?\s+(?:del?\s+)?(\d{4})"
    r"(?:\s*(?:г\.?|года))?$"
)
_MONTH_DAY_YEAR = re.compile(r"^([^\W\d_]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})$")


def _fold(text):
    text = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in text if not unicodedata.combining(ch)).rstrip(".")


def _month(word):
    """The number of the month `word` names or abbreviates ("mars", "févr", "Sept"), or None."""
    names = _month_names()
    word = _fold(word)
    if word in names:
        return names[word]
    found = {number for name, number in names.items() if len(word) >= 3 and name.startswith(word)}
    return found.pop() if len(found) == 1 else None


def _month_names():
    """Month names and abbreviations of the active language, and of English."""
    names = {}
    for language in dict.fromkeys([translation.get_language() or "en", "en"]):
        with translation.override(language):
            for table in (dates.MONTHS, dates.MONTHS_3, dates.MONTHS_AP, dates.MONTHS_ALT):
                for number, name in table.items():
                    names.setdefault(_fold(str(name)), number)
    return names


def day_first():
    """Whether the active language writes numeric dates day first (its input formats say)."""
    for fmt in formats.get_format("DATE_INPUT_FORMATS"):
        if re.match(r"^%[dm][/.\-]", fmt):
            return fmt.startswith("%d")
    return True


def _date(year, month, day, text):
    try:
        return datetime.date(int(year), int(month), int(day))
    except ValueError:
        raise ValidationError(
            _("There is no such date as “%(value)s”."), code="invalid", params={"value": text}
        ) from None


def read_date(text):
    """
    (date, ambiguous) for what a staff member typed; ValidationError with the reason in words
    for what cannot be read for certain. `ambiguous` when its day could be read as its month.
    """
    text = " ".join(str(text).split())
    if match := _ISO.match(text):
        return _date(*match.groups(), text), False
    if _SHORT_YEAR.match(text):
        raise ValidationError(
            _("Give the year in four digits: “%(value)s” could be in two centuries."),
            code="short_year",
            params={"value": text},
        )
    if match := _NUMERIC.match(text):
        first, sep, second, year = match.groups()
        day, month = (first, second) if day_first() else (second, first)
        if int(month) > 12 and int(day) <= 12:
            example = datetime.date(int(year), int(day), min(int(month), 28))
            raise ValidationError(
                _(
                    "“%(value)s” reads month first: write the day first (%(typed)s), or the "
                    "year first (%(iso)s)."
                ),
                code="month_first",
                params={
                    "value": text,
                    "typed": sep.join(
                        [example.strftime("%d"), example.strftime("%m"), year]
                        if day_first()
                        else [example.strftime("%m"), example.strftime("%d"), year]
                    ),
                    "iso": example.isoformat(),
                },
            )
        value = _date(year, month, day, text)
        return value, value.day <= 12 and value.day != value.month
    for pattern, order in ((_DAY_MONTH_YEAR, "dmy"), (_MONTH_DAY_YEAR, "mdy")):
        if match := pattern.match(text):
            parts = dict(zip(order, match.groups(), strict=True))
            month = _month(parts["m"])
            if month is not None:
                return _date(parts["y"], month, parts["d"], text), False
    raise ValidationError(
        _("Type a date as %(examples)s."),
        code="invalid",
        params={"examples": _examples()},
    )


def _examples():
    sample = datetime.date(2026, 3, 4)
    numeric = "04/03/2026" if day_first() else "03/04/2026"
    return _("%(iso)s, %(numeric)s or %(words)s") % {
        "iso": sample.isoformat(),
        "numeric": numeric,
        "words": formats.date_format(sample),
    }


def words_format():
    return WORDS_FORMAT.format(DATE_FORMAT=formats.get_format("DATE_FORMAT"))


def in_words(value):
    return formats.date_format(value, words_format()) if value else ""


class ReadBack(str):
    """What was typed in a date field, with the text whose reading the page showed."""

    shown = ""


class DayFirstDateWidget(AdminDateWidget):
    """The admin's date input with its calendar, and the date it holds in words beside it."""

    @property
    def media(self):
        return super().media + forms.Media(js=["js/date-in-words.js"])

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        widget = context["widget"]
        words_id = f"{widget['attrs'].get('id') or name}_in_words"
        widget["attrs"]["aria-describedby"] = " ".join(
            filter(None, [widget["attrs"].get("aria-describedby"), words_id])
        )
        widget["attrs"]["data-day-first"] = "true" if day_first() else "false"
        return context

    def render(self, name, value, attrs=None, renderer=None):
        context = self.get_context(name, value, attrs)
        text = context["widget"]["value"] or ""
        try:
            words = in_words(read_date(text)[0]) if text else ""
        except ValidationError:
            words = ""
        field = self._render(self.template_name, context, renderer)
        return format_html(
            '{}<input type="hidden" name="{}" value="{}">'
            '<span class="date-in-words" id="{}" data-label="{}" data-format="{}" data-months="{}"'
            ' data-months-alt="{}" data-days="{}" aria-live="polite">{}</span>',
            field,
            name + READ_SUFFIX,
            text,
            f"{context['widget']['attrs'].get('id') or name}_in_words",
            _("Read as: %(date)s"),
            words_format(),
            ",".join(str(dates.MONTHS[n]) for n in range(1, 13)),
            ",".join(str(dates.MONTHS_ALT[n]) for n in range(1, 13)),
            ",".join(str(dates.WEEKDAYS[n]) for n in range(7)),
            _("Read as: %(date)s") % {"date": words} if words else "",
        )

    def value_from_datadict(self, data, files, name):
        value = super().value_from_datadict(data, files, name)
        if isinstance(value, str):
            value = ReadBack(value)
            value.shown = " ".join(str(data.get(name + READ_SUFFIX, "")).split())
        return value


class DayFirstDateField(forms.DateField):
    """A date read day first, never guessed (see the module's docstring)."""

    widget = DayFirstDateWidget
    default_error_messages = {
        "confirm": gettext_lazy(
            "“%(value)s” is read day first, as %(date)s. If that is right, save again; "
            "otherwise write it year first (%(other)s for %(other_words)s)."
        ),
    }

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, datetime.datetime):
            return value.date()
        if isinstance(value, datetime.date):
            return value
        typed = " ".join(str(value).split())
        date, ambiguous = read_date(typed)
        if ambiguous and getattr(value, "shown", None) != typed:
            other = datetime.date(date.year, date.day, date.month)
            raise ValidationError(
                self.error_messages["confirm"],
                code="confirm",
                params={
                    "value": typed,
                    "date": in_words(date),
                    "other": other.isoformat(),
                    "other_words": formats.date_format(other),
                },
            )
        return date
