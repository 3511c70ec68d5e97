"""
Optimistic locking for records two staff may edit at once (cases, alerts, appeals,
recommendations). A form carries the version it was opened at; saving checks it against the
row, read under a lock, so the second of two concurrent saves is refused instead of silently
overwriting the first.
"""

from django import forms
from django.utils import formats, timezone
from django.utils.translation import gettext as _


def last_change(obj):
    """The latest history record of `obj`, with its user, or None."""
    return obj.history.select_related("history_user").order_by("-history_date", "-pk").first()


def stale_edit_message(obj):
    record = last_change(obj)
    name = obj._meta.verbose_name
    if record is None:
        return _(
            "This %(name)s was changed by someone else after you opened it. Your changes have "
            "not been saved and nothing was overwritten: open the current version in another "
            "tab and copy over what is still needed."
        ) % {"name": name}
    user = record.history_user
    who = (user.get_full_name() or user.get_username()) if user else _("a command or import")
    when = formats.date_format(timezone.localtime(record.history_date), "DATETIME_FORMAT")
    return _(
        "%(who)s changed this %(name)s on %(when)s, after you opened it. Your changes have not "
        "been saved and nothing was overwritten: your edits are still in the form below. Open "
        "the current version in another tab and copy over what is still needed."
    ) % {"who": who, "name": name, "when": when}


class VersionedForm(forms.ModelForm):
    """A model form that refuses to save over a version it did not start from."""

    edit_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["edit_version"].initial = self.instance.version

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk and cleaned.get("edit_version") != self.instance.version:
            # `self.instance` was read under a row lock (VersionedAdmin.get_object in
            # cases/admin/base.py), so a concurrent save either finished before it (and the
            # versions differ) or waits.
            raise forms.ValidationError(stale_edit_message(self.instance), code="stale")
        return cleaned
