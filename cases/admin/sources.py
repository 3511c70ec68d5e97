"""Sources and the citations that tie alerts and recommendation updates to them."""

from django.contrib import admin
from django.contrib.admin.widgets import AdminFileWidget
from django.core.files.uploadedfile import UploadedFile
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.defaultfilters import filesizeformat
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from .. import disclosure, files
from ..locking import VersionedForm
from ..models import Citation, Source
from .base import MENU_SOURCES, VersionedAdmin, page_reader
from .conflicts import VersionedInline
from .publication import PublicationAdminMixin


def preview_of(user, source):
    """
    The preview of `source`'s file as an image linking to the file, for staff who may see the
    file; "—" when there is none. The image comes from the staff preview view.
    """
    if source is None or not files.has_preview(source):
        return "—"
    if "file" in disclosure.hidden_fields(user, Source, source):
        return "—"
    return format_html(
        '<a href="{}" class="source-preview"><img src="{}" alt="{}" loading="lazy"></a>',
        reverse("admin:cases_source_file", args=[source.pk]),
        reverse("admin:cases_source_preview", args=[source.pk]),
        _("Preview of the file of %(source)s") % {"source": disclosure.label(user, source)},
    )


class CitationInline(VersionedInline, admin.TabularInline):
    """
    Citations of an alert or of a recommendation update: the parent is the other key. The
    source's "+" opens a new source in a pop-up, so nobody leaves the page they are filling in.
    """

    model = Citation
    extra = 1
    autocomplete_fields = ["source"]
    fields = [
        "source",
        "source_preview",
        "quoted_passage",
        "locator",
        "note",
        "is_version",
        "position",
    ]
    readonly_fields = ["source_preview"]

    @admin.display(description=_("preview"))
    def source_preview(self, citation):
        user = page_reader()
        if user is None or citation is None or not citation.source_id:
            return "—"
        return preview_of(user, citation.source)

    def get_queryset(self, request):
        # The passages quoted from a private source are confidential: staff who may not see
        # them see no such citation (a save leaves them as they are).
        queryset = super().get_queryset(request).select_related("source__publisher")
        if disclosure.may_view(request.user):
            return queryset
        return queryset.filter(source__is_public=True)


class StoredFile:
    """What the file widget shows as "Currently": the original name, linking to the file view."""

    def __init__(self, url, name):
        self.url = url
        self.name = name

    def __str__(self):
        return self.name


class SourceFileWidget(AdminFileWidget):
    """The admin file input, with its link going through the staff file view."""

    stored = None

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        if context["widget"]["is_initial"] and self.stored is not None:
            context["widget"]["value"] = self.stored
        return context


class SourceForm(VersionedForm):
    class Meta:
        # The admin supplies the model and the fields.
        widgets = {"file": SourceFileWidget}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        source = self.instance
        if "file" in self.fields and source.pk and source.file:
            url = reverse("admin:cases_source_file", args=[source.pk])
            name = source.file_name or files.download_name(source, for_staff=True)
            self.fields["file"].widget.stored = StoredFile(url, name)

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if upload is False:  # "Clear" ticked: the source keeps no file
            self.file_facts = ("", None, "")
            return upload
        if not isinstance(upload, UploadedFile):
            return upload  # no file, or the one already stored, unchanged
        checked = files.check_upload(upload)
        self.file_facts = (checked.content_type, len(checked.content), checked.original_name)
        return checked.as_django_file()

    def clean(self):
        cleaned = super().clean()
        # What the check found about a new file goes with the file, and only with it: when a
        # refused save is resolved by keeping the other person's file, their facts stay too.
        facts = getattr(self, "file_facts", None)
        if facts is not None and "file" in cleaned:
            self.instance.file_type, self.instance.file_size, self.instance.file_name = facts
        return cleaned


@admin.register(Source)
class SourceAdmin(PublicationAdminMixin, VersionedAdmin):
    menu_group = MENU_SOURCES
    form = SourceForm
    list_display = [
        "title",
        "file_preview",
        "kind",
        "publisher",
        "date",
        "language",
        "is_public",
        "reliability",
    ]
    list_filter = ["kind", "is_public", "reliability", "language"]
    list_select_related = ["publisher"]
    search_fields = ["title", "author", "url", "publisher__name", "publisher__acronym"]
    autocomplete_fields = ["publisher"]
    readonly_fields = ["stored_file"]

    def get_queryset(self, request):
        # A source's name includes its publisher; the autocomplete of every citation inline
        # reads this queryset, which list_select_related does not reach.
        return super().get_queryset(request).select_related("publisher")

    @admin.display(description=_("preview"))
    def file_preview(self, source):
        user = page_reader()
        return preview_of(user, source) if user is not None else "—"

    @admin.display(description=Source._meta.get_field("file_type").verbose_name)
    def stored_file(self, source):
        if not source.file:
            return "—"
        label = source.get_file_type_display()
        if source.file_size is not None:
            label = f"{label}, {filesizeformat(source.file_size)}"
        user = page_reader()
        preview = preview_of(user, source) if user is not None else "—"
        if preview == "—":
            return label
        return format_html("{}<br>{}", label, preview)

    def get_urls(self):
        return [
            path(
                "<int:pk>/file/",
                self.admin_site.admin_view(self.file_view),
                name="cases_source_file",
            ),
            path(
                "<int:pk>/preview/",
                self.admin_site.admin_view(self.preview_view),
                name="cases_source_preview",
            ),
            *super().get_urls(),
        ]

    def preview_view(self, request, pk):
        """
        The preview of a source's file (cases/files.py), for the staff who may fetch the file
        itself; a 404 for everyone else. Never kept by a cache; a file that cannot be rendered
        gets a plain frame instead.
        """
        return require_safe(self._preview)(request, pk)

    def _preview(self, request, pk):
        source = self._fetchable(request, pk)
        if not files.has_preview(source):
            raise Http404
        content = files.preview_png(source) or files.placeholder_png()
        response = HttpResponse(content, content_type="image/png")
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, no-store"
        return response

    def file_view(self, request, pk):
        """
        Any source's file, for staff who may view sources and its file (a private file needs
        the view-confidential permission); a 404 for everyone else.
        """
        return require_safe(self._file)(request, pk)

    def _file(self, request, pk):
        return files.file_response(self._fetchable(request, pk), public=False)

    def _fetchable(self, request, pk):
        source = get_object_or_404(Source, pk=pk)
        # A private file is confidential: staff who may not see it in the form cannot fetch it.
        if not self.has_view_permission(request, source) or "file" in disclosure.hidden_fields(
            request.user, Source, source
        ):
            raise Http404
        return source


@admin.register(Citation)
class CitationAdmin(VersionedAdmin):
    menu_group = None
    list_display = ["__str__", "alert", "recommendation_update"]
    list_select_related = ["source__publisher", "alert", "recommendation_update"]
    search_fields = ["quoted_passage", "note", "source__title"]
    autocomplete_fields = ["source", "alert", "recommendation_update"]

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if disclosure.may_view(request.user):
            return queryset
        return queryset.filter(source__is_public=True)
