"""
Saves the database refuses at the last moment come back to the form, in words.

Forms check every rule they can, but some refusals only happen in the database: another
person saved the same reference code or case number a moment before (a unique constraint), or
held the same rows longer than the lock timeout (DATABASE_LOCK_TIMEOUT_MS). The admin's change
view runs in one transaction, so such a save leaves nothing behind; without this, the staff
member would get a 500 (or a 503) and lose what they typed. Instead the view runs again on the
same input, without taking locks, with the reason as an error of the form, and nothing saved.
"""

from django.core.exceptions import ValidationError
from django.db import DataError, IntegrityError, OperationalError
from django.utils.translation import gettext as _

from ops.faults import BUSY, classify

from .. import integrity

# Where the first attempt leaves its reason for the second one.
REFUSAL = "_observatory_save_refusal"


class RefusedSaveForm:
    """Mixed into the admin's form on the second attempt: it cannot be valid."""

    save_refusal = None

    def clean(self):
        cleaned = super().clean()
        if self.save_refusal:
            raise ValidationError(self.save_refusal, code="refused")
        return cleaned


def busy_reason():
    return _("someone else is saving this record, or a record it touches, at this moment.")


def refusal_message(reason):
    return _(
        "Nothing was saved: %(reason)s Your input is still in the form below: correct it and "
        "save again."
    ) % {"reason": reason}


def forget_queued_messages(request):
    """
    Drop the notices the refused attempt queued ("… was changed successfully"): its transaction
    was rolled back, so they are not true. The message storage has no public way to do this.
    """
    storage = getattr(request, "_messages", None)
    if storage is not None:
        storage._queued_messages.clear()


class RefusedSaveMixin:
    """For a ModelAdmin: a save refused by the database shows the form again with the reason."""

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if request.method != "POST" or getattr(request, REFUSAL, None):
            return super().changeform_view(request, object_id, form_url, extra_context)
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except (IntegrityError, DataError) as error:
            reason = integrity.describe(error)
        except OperationalError as error:
            if classify(error) != BUSY:
                raise  # the database is gone: a 503 page (ops/faults.py)
            reason = busy_reason()
        forget_queued_messages(request)
        setattr(request, REFUSAL, refusal_message(reason))
        return super().changeform_view(request, object_id, form_url, extra_context)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        refusal = getattr(request, REFUSAL, None)
        if refusal is None:
            return form
        return type(form.__name__, (RefusedSaveForm, form), {"save_refusal": refusal})
