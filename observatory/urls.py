from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from cases.sitemaps import sitemaps
from cases.views import robots_txt

admin.site.site_header = _("Observatory staff")
admin.site.site_title = _("Observatory staff")
admin.site.index_title = _("Cases, appeals and recommendations")

urlpatterns = [
    path("admin/", admin.site.urls),
    path("sitemap.xml", sitemap, {"sitemaps": sitemaps}, name="sitemap"),
    path("robots.txt", robots_txt, name="robots_txt"),
    path("", include("cases.urls")),
]
