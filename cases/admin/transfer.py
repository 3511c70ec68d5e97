"""
Spreadsheets in the workspace (cases/transfer.py): the import page (template, check, then
import), the export page, and the read-only log of every transfer.

An uploaded file is checked first: every row's errors are listed, and nothing is written.
When no row has any, the file waits in private storage (never served) for the button that
imports it, for its uploader only, and is deleted once imported.
"""

import secrets

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .. import transfer
from ..models import TransferLog

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
KIND_LABELS = {
    "cases": gettext_lazy("Cases"),
    "defenders": gettext_lazy("Defenders, with their cases and other names"),
    "alerts": gettext_lazy("Alerts"),
    "citations": gettext_lazy("Citations of alerts, with their sources"),
    "appeals": gettext_lazy("Appeals, with their reference codes as printed"),
    "recommendations": gettext_lazy("Recommendations"),
    "recommendation-updates": gettext_lazy("Updates of recommendations"),
}
# Which kind a record list's "Import" link opens.
KIND_OF_MODEL = {transfer.model_of(kind)._meta.model_name: kind for kind in transfer.KINDS}
PENDING = "imports"


def _kinds(user, allowed):
    return [(kind, KIND_LABELS[kind]) for kind in transfer.KINDS if allowed(user, kind)]


class ImportForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("What the file holds"))
    file = forms.FileField(
        label=gettext_lazy("Spreadsheet (CSV in UTF-8, or XLSX)"),
        help_text=gettext_lazy("Its first row names the columns, as in the template."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = _kinds(user, transfer.may_import)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        name = upload.name.lower()
        file_format = next((f for f in transfer.FORMATS if name.endswith(f".{f}")), None)
        if file_format is None:
            raise forms.ValidationError(_("Give a file ending in .csv or .xlsx."))
        if upload.size > transfer.IMPORT_MAX_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(mb)s MB: split it.")
                % {"mb": transfer.IMPORT_MAX_BYTES // (1024 * 1024)}
            )
        self.cleaned_data["file_format"] = file_format
        return upload


class ExportForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Records"))
    file_format = forms.ChoiceField(
        label=gettext_lazy("Format"), choices=[("xlsx", "XLSX"), ("csv", "CSV")]
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = _kinds(user, transfer.may_export)


def _pending_name(user, token):
    return f"{PENDING}/{user.pk}-{token}"


@admin.register(TransferLog)
class TransferLogAdmin(admin.ModelAdmin):
    """Read only: every export and import, written by the transfers themselves."""

    list_display = ["at", "direction", "what", "file_format", "rows", "user", "with_confidential"]
    list_filter = ["direction", "what", "with_confidential"]
    list_select_related = ["user"]
    search_fields = ["user__username", "what"]
    readonly_fields = list_display
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        site = self.admin_site
        return [
            path("import/", site.admin_view(self.import_view), name="cases_transferlog_import"),
            path("export/", site.admin_view(self.export_view), name="cases_transferlog_export"),
            path(
                "template/<str:kind>.<str:file_format>",
                site.admin_view(self.template_view),
                name="cases_transferlog_template",
            ),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "transfer_links": True}
        return super().changelist_view(request, extra_context)

    def _context(self, request, title, **more):
        return {
            **self.admin_site.each_context(request),
            "title": title,
            "opts": self.model._meta,
            **more,
        }

    def template_view(self, request, kind, file_format):
        if kind not in transfer.KINDS or file_format not in transfer.FORMATS:
            raise Http404
        if not transfer.may_import(request.user, kind):
            raise PermissionDenied
        response = HttpResponse(
            transfer.template(request.user, kind, file_format),
            content_type=CONTENT_TYPES[file_format],
        )
        name = transfer.filename(kind, file_format, empty=True)
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response

    def import_view(self, request):
        kinds = _kinds(request.user, transfer.may_import)
        if not kinds:
            raise PermissionDenied
        report, pending = None, None
        initial = {"kind": KIND_OF_MODEL.get(request.GET.get("model", ""), kinds[0][0])}
        form = ImportForm(user=request.user, initial=initial)
        if request.method == "POST" and "pending" in request.POST:
            return self._import_pending(request)
        if request.method == "POST":
            form = ImportForm(request.POST, request.FILES, user=request.user)
            if form.is_valid():
                kind, file_format = form.cleaned_data["kind"], form.cleaned_data["file_format"]
                content = form.cleaned_data["file"].read()
                report = self._check(request, kind, file_format, content)
                if report is not None and report.ok:
                    token = secrets.token_urlsafe(16)
                    default_storage.save(_pending_name(request.user, token), ContentFile(content))
                    pending = {"token": token, "kind": kind, "file_format": file_format}
        context = self._context(
            request,
            _("Import a spreadsheet"),
            form=form,
            report=report,
            pending=pending,
            templates=[(kind, label) for kind, label in kinds],
            max_mb=transfer.IMPORT_MAX_BYTES // (1024 * 1024),
        )
        status = 400 if report is not None and not report.ok else 200
        return TemplateResponse(request, "admin/cases/transfer_import.html", context, status=status)

    def _check(self, request, kind, file_format, content):
        try:
            dataset = transfer.read(file_format, content)
        except ValueError as error:
            messages.error(request, str(error))
            return None
        return transfer.run_import(request.user, kind, dataset, dry_run=True)

    def _import_pending(self, request):
        token = request.POST.get("pending", "")
        kind = request.POST.get("kind", "")
        file_format = request.POST.get("file_format", "")
        name = _pending_name(request.user, token)
        valid = (
            kind in transfer.KINDS
            and file_format in transfer.FORMATS
            and token.replace("-", "").replace("_", "").isalnum()
            and transfer.may_import(request.user, kind)
            and default_storage.exists(name)
        )
        if not valid:
            messages.error(request, _("That file is no longer waiting: upload it again."))
            return redirect("admin:cases_transferlog_import")
        with default_storage.open(name, "rb") as stored:
            content = stored.read()
        report = transfer.run_import(
            request.user, kind, transfer.read(file_format, content), dry_run=False
        )
        default_storage.delete(name)
        if not report.written:
            context = self._context(
                request,
                _("Import a spreadsheet"),
                form=ImportForm(user=request.user, initial={"kind": kind}),
                report=report,
                pending=None,
                templates=_kinds(request.user, transfer.may_import),
                max_mb=transfer.IMPORT_MAX_BYTES // (1024 * 1024),
            )
            return TemplateResponse(
                request, "admin/cases/transfer_import.html", context, status=400
            )
        messages.success(
            request,
            _(
                "Imported %(rows)s rows: %(new)s new records, %(updated)s updated, "
                "%(unchanged)s unchanged. Nothing was published."
            )
            % {
                "rows": report.rows,
                "new": report.new,
                "updated": report.updated,
                "unchanged": report.unchanged,
            },
        )
        model = transfer.model_of(kind)
        return redirect(reverse(f"admin:cases_{model._meta.model_name}_changelist"))

    def export_view(self, request):
        if not _kinds(request.user, transfer.may_export):
            raise PermissionDenied
        form = ExportForm(request.POST or None, user=request.user)
        if request.method == "POST" and form.is_valid():
            kind, file_format = form.cleaned_data["kind"], form.cleaned_data["file_format"]
            response = HttpResponse(
                transfer.export(request.user, kind, file_format),
                content_type=CONTENT_TYPES[file_format],
            )
            name = transfer.filename(kind, file_format)
            response["Content-Disposition"] = f'attachment; filename="{name}"'
            response["Cache-Control"] = "no-store"
            return response
        context = self._context(
            request,
            _("Export a spreadsheet"),
            form=form,
            with_confidential=request.user.has_perm("cases.view_confidential"),
        )
        return TemplateResponse(request, "admin/cases/transfer_export.html", context)
