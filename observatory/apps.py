from django.contrib.admin.apps import AdminConfig


class ObservatoryAdminConfig(AdminConfig):
    default_site = "accounts.admin_site.ObservatoryAdminSite"
