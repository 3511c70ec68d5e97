from django.urls import path

from observatory.http import safe

from . import exports, feeds, views

# The public pages keep the "cases" namespace their addresses have always had.
app_name = "cases"

urlpatterns = [
    path("", views.home, name="home"),
    path("cases/", views.case_list, name="case_list"),
    path("cases/<slug:slug>/", views.case_detail, name="case_detail"),
    path(
        "cases/<slug:slug>/timeline.atom", safe(feeds.CaseTimelineFeed()), name="case_timeline_feed"
    ),
    path("cases/<slug:slug>/appeals.atom", safe(feeds.CaseAppealFeed()), name="case_appeal_feed"),
    path("appeals/", views.appeal_list, name="appeal_list"),
    path("appeals.atom", safe(feeds.AppealFeed()), name="appeal_feed"),
    path("appeals/<int:pk>/", views.appeal_detail, name="appeal_detail"),
    path("appeals/<int:pk>/letters/", views.appeal_letters, name="appeal_letters"),
    path("appeals/<int:pk>/report/", views.appeal_report, name="appeal_report"),
    path("recommendations/", views.recommendation_list, name="recommendation_list"),
    path("recommendations.csv", exports.recommendation_export, name="recommendation_export"),
    path("defenders/<slug:slug>/", views.defender_detail, name="defender_detail"),
    path("countries/", views.country_list, name="country_list"),
    path("countries/<str:code>/", views.country_detail, name="country_detail"),
    path(
        "countries/<str:code>/appeals.atom",
        safe(feeds.CountryAppealFeed()),
        name="country_appeal_feed",
    ),
    path("sources/", views.source_list, name="source_list"),
    path("search/", views.search, name="search"),
    path("sources/<int:pk>/file", views.source_file, name="source_file"),
    path("how-we-verify/", views.how_we_verify, name="how_we_verify"),
    path("pages/<slug:slug>/", views.page_detail, name="page"),
    path("favicon.ico", views.favicon, name="favicon"),
]
