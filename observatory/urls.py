from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path
from two_factor.urls import core as two_factor_core

from accounts.views import LoginView
from observatory.http import safe
from public.sitemaps import sitemap_index, sitemaps
from public.views import robots_txt

two_factor_pages = [
    path("account/login/", LoginView.as_view(), name="login"),
    *[page for page in two_factor_core if page.name != "login"],
]

# The database's faults are a 503 page with Retry-After, anything else Django's 500 (or 400).
handler500 = "ops.faults.server_error"
handler400 = "ops.faults.bad_request"

urlpatterns = [
    path("admin/", admin.site.urls),
    # Staff login with a one-time code, authenticator setup and recovery codes. Two-factor's
    # profile and "disable" pages are left out on purpose: no staff account may turn it off.
    # The login page is its own (accounts/views.py): a visit to it starts no session.
    path("", include((two_factor_pages, "two_factor"))),
    # An index of sections, each in pages of at most 10,000 addresses (public/sitemaps.py).
    path("sitemap.xml", safe(sitemap_index), name="sitemap"),
    path(
        "sitemap-<section>.xml",
        safe(sitemap),
        {"sitemaps": sitemaps},
        name="sitemap_section",
    ),
    path("robots.txt", robots_txt, name="robots_txt"),
    # The public API, its OpenAPI schema and documentation.
    path("api/v1/", include("api.urls")),
]
# The public site in each language: /cases/... in English (the default language), /fr/cases/...
# in French, and so on. The address alone says the language: a page is the same for every
# reader of it, whatever their browser asks, so it is cached once.
urlpatterns += i18n_patterns(path("", include("public.urls")), prefix_default_language=False)
