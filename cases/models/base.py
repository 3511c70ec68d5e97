"""Pieces shared by several models: timestamps, dates known only to some precision."""

import calendar
import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

# --- Dates that mean something ---------------------------------------------------------------
# A typo gives year 0001 or 9999: nothing an observatory records happened before 1900, and no
# date of its work is later than 2100. The database refuses anything outside these years (a
# named constraint per date field); forms say so in words, and refuse a date of something that
# happened (an alert, a source, an opening) later than next year.
FIRST_DATE = datetime.date(1900, 1, 1)
LAST_DATE = datetime.date(2100, 12, 31)


def validate_event_date(value):
    """The date of something that happened or was issued: 1900 to the end of next year."""
    last_year = timezone.localdate().year + 1
    if value is not None and not FIRST_DATE.year <= value.year <= last_year:
        raise ValidationError(
            _("Give a date between 1900 and %(last)s."), code="year", params={"last": last_year}
        )


def validate_planned_date(value):
    """A deadline or the end of a term of office: 1900 to 2100."""
    if value is not None and not FIRST_DATE <= value <= LAST_DATE:
        raise ValidationError(_("Give a date between 1900 and 2100."), code="year")


def date_in_range(field, name):
    """The database's side of the rule: `field` is empty or a date from 1900 to 2100."""
    return models.CheckConstraint(
        condition=models.Q(**{f"{field}__isnull": True})
        | models.Q(**{f"{field}__range": (FIRST_DATE, LAST_DATE)}),
        name=name,
        violation_error_message=_("Give a date between 1900 and 2100."),
    )


class TimeStamped(models.Model):
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)

    class Meta:
        abstract = True


class Versioned(models.Model):
    """
    Optimistic locking: every save moves the version on, so a form opened before someone
    else's save can tell that it is stale and refuse to overwrite it (see cases/locking.py).
    """

    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            self.version += 1
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "version"}
        super().save(*args, **kwargs)


class DatePrecision(models.TextChoices):
    DAY = "day", _("day")
    MONTH = "month", _("month")
    YEAR = "year", _("year")


class DateQualifier(models.TextChoices):
    EXACT = "", _("exactly")
    ABOUT = "about", _("about")
    BEFORE = "before", _("before")
    AFTER = "after", _("after")


_DISPLAY_FORMATS = {
    DatePrecision.DAY: "DATE_FORMAT",
    DatePrecision.MONTH: "YEAR_MONTH_FORMAT",
    DatePrecision.YEAR: "Y",
}
_QUALIFIED = {
    DateQualifier.ABOUT: _("about %(date)s"),
    DateQualifier.BEFORE: _("before %(date)s"),
    DateQualifier.AFTER: _("after %(date)s"),
}


def normalise_partial_date(date, precision):
    """The first day of the month or year that a month- or year-precise date stands for."""
    if date is None:
        return None
    if precision == DatePrecision.MONTH:
        return date.replace(day=1)
    if precision == DatePrecision.YEAR:
        return date.replace(month=1, day=1)
    return date


def end_of_period(date, precision):
    """The last day of the month or year that a month- or year-precise date stands for."""
    if precision == DatePrecision.MONTH:
        return date.replace(day=calendar.monthrange(date.year, date.month)[1])
    if precision == DatePrecision.YEAR:
        return date.replace(month=12, day=31)
    return date


def natural_sort_date(date, precision, qualifier=DateQualifier.EXACT):
    """
    Where a partial date falls in a story told in date order. A date known only to a month or
    a year is stored as the first day of its period, but a reader of a timeline expects
    "October 2019" after "1 October 2019", not before it: it sorts on the last day of its
    period. "Before" a date sorts just before the period it names ("before 6 November 2019"
    comes right before the 6 November entries), "after" one at its end. Staff can still place
    a development by hand when the story says otherwise (Alert.sorts_on).
    """
    if date is None:
        return None
    start = normalise_partial_date(date, precision)
    if qualifier == DateQualifier.BEFORE:
        return start - datetime.timedelta(days=1)
    return end_of_period(start, precision)


def format_partial_date(date, precision, qualifier=DateQualifier.EXACT):
    """'2013', 'October 2019', '1 October 2019', 'about 30 December 2019'."""
    if date is None:
        return ""
    text = formats.date_format(date, _DISPLAY_FORMATS.get(precision, "DATE_FORMAT"))
    if qualifier in _QUALIFIED:
        return _QUALIFIED[qualifier] % {"date": text}
    return text


class PartialDate(models.Model):
    """
    A date that sources give to a day, a month or a year, sometimes only 'about' or
    'before' it. `date` holds the first day of the period so that records sort by it.
    """

    date = models.DateField(
        _("date"),
        validators=[validate_event_date],
        help_text=_(
            "For a month or a year, any day in it: it is stored as the first day of the period."
        ),
    )
    date_precision = models.CharField(
        _("known to the"),
        max_length=5,
        choices=DatePrecision.choices,
        default=DatePrecision.DAY,
    )
    date_qualifier = models.CharField(
        _("qualifier"),
        max_length=6,
        choices=DateQualifier.choices,
        default=DateQualifier.EXACT,
        blank=True,
        help_text=_("When the sources give the date only approximately or as a bound."),
    )

    class Meta:
        abstract = True
        constraints = [
            models.CheckConstraint(
                condition=models.Q(date_precision__in=DatePrecision.values),
                name="%(app_label)s_%(class)s_date_precision_valid",
                violation_error_message=_("Choose how precisely the date is known."),
            ),
            models.CheckConstraint(
                condition=models.Q(date_qualifier__in=DateQualifier.values),
                name="%(app_label)s_%(class)s_date_qualifier_valid",
                violation_error_message=_("Choose a qualifier of the date from the list."),
            ),
            date_in_range("date", "%(app_label)s_%(class)s_date_in_range"),
        ]

    def clean(self):
        super().clean()
        self.date = normalise_partial_date(self.date, self.date_precision)

    @property
    def date_display(self):
        return format_partial_date(self.date, self.date_precision, self.date_qualifier)

    @property
    def date_iso(self):
        """ISO 8601 at the known precision ('2019', '2019-10', '2019-10-01'), for <time>."""
        if self.date is None:
            return ""
        if self.date_precision == DatePrecision.YEAR:
            return f"{self.date:%Y}"
        if self.date_precision == DatePrecision.MONTH:
            return f"{self.date:%Y-%m}"
        return self.date.isoformat()


# --- Texts in several languages (cases/translation.py) -----------------------------------------


class Translated(models.Model):
    """
    A record whose public texts exist in each language of the site: a column per language
    for each translated field (django-modeltranslation, cases/translation.py), the language
    staff first wrote them in, and when each translation was last written and against which
    version of the original (cases/translations.py says what is missing or outdated).
    """

    # The language staff wrote the record in: its translations are of this one.
    ORIGINAL_LANGUAGE_FIELD = "original_language"

    original_language = models.CharField(
        _("original language"),
        max_length=8,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
        help_text=_("The language the texts were first written in; the others translate it."),
    )
    translations = models.JSONField(_("translations"), default=dict, blank=True, editable=False)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        from ..multilingual import (
            LANGUAGE_CODES,
            column,
            keep_translations,
            saving_in_original,
            translated_fields,
        )

        keep_translations(self)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            # A text saved by name or in one language: every column of it, and the record of
            # its translations, follow.
            touched = {
                name
                for name in translated_fields(type(self))
                for field in update_fields
                if field == name or field.startswith(f"{name}_")
            }
            if touched:
                kwargs["update_fields"] = {
                    *update_fields,
                    *touched,
                    *(column(name, code) for name in touched for code in LANGUAGE_CODES),
                    "translations",
                }
        # The record's own columns (and its history's) receive the original text.
        with saving_in_original(self):
            super().save(*args, **kwargs)
