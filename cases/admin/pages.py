"""The site's own pages (about, contact, privacy) and what readers said they did."""

from django.contrib import admin
from django.db.models import Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..models import ActionTally, Page
from .base import MENU_PUBLICATION, VersionedAdmin
from .publication import PublicationAdminMixin


@admin.register(Page)
class PageAdmin(PublicationAdminMixin, VersionedAdmin):
    menu_group = MENU_PUBLICATION
    list_display = ["title", "slug", "published_at", "updated_at"]
    search_fields = ["title", "body"]
    prepopulated_fields = {"slug": ["title"]}


@admin.register(ActionTally)
class ActionTallyAdmin(admin.ModelAdmin):
    """Read only: the counts are written by readers' reports, never by hand."""

    menu_group = None
    list_display = ["appeal", "what", "count"]
    readonly_fields = ["appeal", "addressee", "count"]
    list_select_related = ["appeal", "addressee__authority"]
    list_filter = [("addressee", admin.EmptyFieldListFilter)]
    search_fields = ["appeal__title", "appeal__reference_code", "addressee__authority__name"]
    ordering = ["-appeal__date", "appeal", "addressee__position", "addressee"]

    @admin.display(description=gettext_lazy("counts"))
    def what(self, tally):
        if tally.addressee_id is None:
            return _("reports (readers who told us they acted)")
        return _("letters to %(authority)s") % {"authority": tally.addressee.authority}

    def changelist_view(self, request, extra_context=None):
        reports = ActionTally.objects.filter(addressee__isnull=True).aggregate(n=Sum("count"))
        extra_context = {
            **(extra_context or {}),
            "subtitle": _("%(n)d reports in all") % {"n": reports["n"] or 0},
        }
        return super().changelist_view(request, extra_context)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
