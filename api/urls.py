from django.urls import path
from drf_spectacular.views import SpectacularAPIView

from observatory.http import safe

from . import docs, views

app_name = "api"

schema = views.conditional(
    SpectacularAPIView.as_view(authentication_classes=[], throttle_classes=[])
)
schema.cache_parameters = {"format"}

urlpatterns = [
    path("cases/", views.CaseList.as_view(), name="case-list"),
    path("cases/<slug:slug>/", views.CaseDetail.as_view(), name="case-detail"),
    path("alerts/", views.AlertList.as_view(), name="alert-list"),
    path("alerts/<int:pk>/", views.AlertDetail.as_view(), name="alert-detail"),
    path("appeals/", views.AppealList.as_view(), name="appeal-list"),
    path("appeals/<int:pk>/", views.AppealDetail.as_view(), name="appeal-detail"),
    path("recommendations/", views.RecommendationList.as_view(), name="recommendation-list"),
    path(
        "recommendations/<int:pk>/",
        views.RecommendationDetail.as_view(),
        name="recommendation-detail",
    ),
    path("defenders/", views.DefenderList.as_view(), name="defender-list"),
    path("defenders/<slug:slug>/", views.DefenderDetail.as_view(), name="defender-detail"),
    path("sources/", views.SourceList.as_view(), name="source-list"),
    path("sources/<int:pk>/", views.SourceDetail.as_view(), name="source-detail"),
    path("violation-types/", views.ViolationTypeList.as_view(), name="violationtype-list"),
    path(
        "violation-types/<slug:slug>/",
        views.ViolationTypeDetail.as_view(),
        name="violationtype-detail",
    ),
    path("countries/", views.CountryList.as_view(), name="country-list"),
    # The OpenAPI 3 schema (YAML, or JSON with ?format=json) and its documentation page.
    path("schema/", schema, name="schema"),
    path("docs/", safe(docs.documentation), name="docs"),
]
