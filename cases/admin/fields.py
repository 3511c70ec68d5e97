"""What every form field of the workspace shares."""

from django import forms
from django.utils.translation import gettext_lazy

TOO_LONG = gettext_lazy(
    "This is %(show_value)d characters long: %(limit_value)d at most. Shorten it and save again; "
    "the rest of the form is kept."
)


def bounded(formfield):
    """
    A text field whose limit is checked on saving, with a message that gives it, instead of
    the browser's maxlength, which cuts a pasted headline at 200 characters without a word.
    """
    if isinstance(formfield, forms.CharField) and formfield.max_length is not None:
        formfield.widget.attrs.pop("maxlength", None)
        formfield.error_messages = {**formfield.error_messages, "max_length": TOO_LONG}
    return formfield
