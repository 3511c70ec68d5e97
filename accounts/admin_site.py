"""
The admin site staff work in. Every page needs a session verified by a one-time code
(two-factor), not only a password: the mixin refuses unverified sessions and sends the admin's
login to the two-factor login. Its index is the staff workspace's dashboard
(cases/admin/dashboard.py) and it has one search across every record (cases/search.py).
"""

from django.conf import settings
from django.contrib import admin
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext_lazy as _
from two_factor.admin import AdminSiteOTPRequiredMixin
from two_factor.utils import default_device


class ObservatoryAdminSite(AdminSiteOTPRequiredMixin, admin.AdminSite):
    # The titles, set here only; the header names the observatory (each_context).
    site_title = _("Observatory staff")
    index_title = _("Cases, appeals and recommendations")
    index_template = "admin/cases/dashboard.html"

    def each_context(self, request):
        context = super().each_context(request)
        context["site_header"] = f"{settings.OBSERVATORY_NAME} · {_('staff')}"
        # What a form may send (files aside): the pages refuse to send more, keeping the text.
        context["form_limit"] = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        return context

    def login(self, request, extra_context=None):
        """
        A staff member who gave their password but has no authenticator yet is led to set one
        up; everyone else goes on to the two-factor login. (Recovery codes are offered when the
        setup ends, and linked from every admin page: templates/admin/base_site.html.)
        """
        user = request.user
        if user.is_active and user.is_staff and not default_device(user):
            return redirect("two_factor:setup")
        return super().login(request, extra_context)

    def get_app_list(self, request, app_label=None):
        """
        The menu (the index and the side bar): the records in the groups their model admins
        name (`menu_group`, cases/admin/base.py), and without the link tables, which are
        edited on another record's page (their admins say `menu_group = None`).
        """
        apps = []
        for app in super().get_app_list(request, app_label):
            groups = {}
            for model in app["models"]:
                group = getattr(self._registry.get(model["model"]), "menu_group", False)
                if group is False:  # an admin that names no group: listed with its app
                    group = (0, app["name"])
                if group is not None:
                    groups.setdefault(group, []).append(model)
            for (_order, name), models in sorted(groups.items(), key=lambda g: g[0][0]):
                apps.append({**app, "name": name, "models": models})
        return apps

    # The workspace's modules are imported when a page needs them: they register their
    # admins on this site, which must exist first.

    def index(self, request, extra_context=None):
        from cases.admin.dashboard import dashboard

        context = {"dashboard": dashboard(request.user), **(extra_context or {})}
        return super().index(request, context)

    def get_urls(self):
        return [
            path("search/", self.admin_view(self.search_view), name="search"),
            *super().get_urls(),
        ]

    def autocomplete_view(self, request):
        """Each choice named as the user may see it (a private source by its number)."""
        from cases.admin.base import DisclosingAutocompleteView

        return DisclosingAutocompleteView.as_view(admin_site=self)(request)

    def search_view(self, request):
        """
        Every record, drafts included, and the real names and aliases of protected defenders;
        each result links to its change page. Only the types the user may view are searched.
        """
        from cases.search import search_page

        context, status = search_page(request.GET, public=False, user=request.user)
        context.update(self.each_context(request), title=_("Search"))
        return TemplateResponse(request, "admin/cases/search.html", context, status=status)
