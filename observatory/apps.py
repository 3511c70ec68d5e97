from django.contrib.admin.apps import AdminConfig


class ObservatoryAdminConfig(AdminConfig):
    default_site = "cases.dashboard.ObservatoryAdminSite"
