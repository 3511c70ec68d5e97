"""The record of every spreadsheet staff exported or imported: exports are where data leaves."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class TransferLog(models.Model):
    """Who exported or imported what, when, in which format, and how many rows."""

    class Direction(models.TextChoices):
        EXPORT = "export", _("export")
        IMPORT = "import", _("import")

    direction = models.CharField(_("direction"), max_length=6, choices=Direction.choices)
    what = models.CharField(_("what"), max_length=30)
    file_format = models.CharField(_("format"), max_length=4)
    rows = models.PositiveIntegerField(_("rows"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("by"),
    )
    # Whether the user saw confidential fields (an export) or could write them (an import).
    with_confidential = models.BooleanField(_("with confidential fields"), default=False)
    at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("spreadsheet transfer")
        verbose_name_plural = _("spreadsheet transfers")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(direction__in=["export", "import"]),
                name="transfer_log_direction_valid",
                violation_error_message=_("A transfer is an export or an import."),
            ),
        ]

    def __str__(self):
        return f"{self.get_direction_display()} of {self.rows} {self.what} by {self.user}"
