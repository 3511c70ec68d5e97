from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

admin.site.site_header = _("Observatory staff")
admin.site.site_title = _("Observatory staff")
admin.site.index_title = _("Cases, appeals and recommendations")

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("cases.urls")),
]
