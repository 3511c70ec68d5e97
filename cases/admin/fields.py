"""What every form field of the workspace shares."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy

TOO_LONG = gettext_lazy(
    "This is %(show_value)d characters long, and at most %(limit_value)d characters are "
    "allowed. Shorten it and save again; the rest of the form is kept."
)


# Labels of the partial dates' parts, in words a case officer reads at a glance: the model's
# own ("known to the": "day") read as a riddle.
PARTIAL_DATE_FIELDS = {
    "date_precision": (
        gettext_lazy("How precisely the date is known"),
        [
            ("day", gettext_lazy("to the day")),
            ("month", gettext_lazy("to the month only")),
            ("year", gettext_lazy("to the year only")),
        ],
    ),
    "date_qualifier": (
        gettext_lazy("The date is"),
        [
            ("", gettext_lazy("exact")),
            ("about", gettext_lazy("approximate (about)")),
            ("before", gettext_lazy("a bound: before it")),
            ("after", gettext_lazy("a bound: after it")),
        ],
    ),
}


def plainly_labelled(db_field, formfield):
    """The partial date's precision and qualifier, labelled in plain words."""
    plain = PARTIAL_DATE_FIELDS.get(db_field.name)
    if plain is not None and formfield is not None and hasattr(formfield, "choices"):
        formfield.label, formfield.choices = plain
    return formfield


def bounded(formfield):
    """
    A text field whose limit is checked on saving, with a message that gives it, instead of
    the browser's maxlength, which cuts a pasted headline at 200 characters without a word.
    """
    if isinstance(formfield, forms.CharField) and formfield.max_length is not None:
        formfield.widget.attrs.pop("maxlength", None)
        formfield.error_messages = {**formfield.error_messages, "max_length": TOO_LONG}
    return formfield


class ChoiceAutocomplete(forms.SelectMultiple):
    """
    A choice of several among many (250 countries) as a searchable list that adds what is
    picked, with the select2 Django's admin ships (static/js/admin-widgets.js): in a plain
    multiple select, one click without Ctrl replaces every choice made so far.
    """

    def __init__(self, attrs=None, choices=()):
        super().__init__({"class": "choice-autocomplete", **(attrs or {})}, choices)

    @property
    def media(self):
        # The same files as the admin's autocomplete widgets, so that a page with both loads
        # jQuery and select2 once.
        extra = "" if settings.DEBUG else ".min"
        return forms.Media(
            js=[
                f"admin/js/vendor/jquery/jquery{extra}.js",
                f"admin/js/vendor/select2/select2.full{extra}.js",
                "admin/js/jquery.init.js",
            ],
            css={"screen": [f"admin/css/vendor/select2/select2{extra}.css"]},
        )
