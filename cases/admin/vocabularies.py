"""Reference data: violation types, organisations, authorities."""

from django.contrib import admin

from ..models import Authority, Organisation, ViolationType
from .base import MENU_VOCABULARIES, VersionedAdmin


@admin.register(ViolationType)
class ViolationTypeAdmin(VersionedAdmin):
    menu_group = MENU_VOCABULARIES
    list_display = ["name", "slug"]
    search_fields = ["name", "description"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Organisation)
class OrganisationAdmin(VersionedAdmin):
    menu_group = MENU_VOCABULARIES
    list_display = ["name", "acronym", "kind", "country"]
    list_filter = ["kind", "country"]
    search_fields = ["name", "acronym"]


@admin.register(Authority)
class AuthorityAdmin(VersionedAdmin):
    menu_group = MENU_VOCABULARIES
    list_display = ["name", "office_holder", "kind", "country", "valid_from", "valid_to"]
    list_filter = ["kind", "country"]
    search_fields = ["name", "office_holder", "title", "email"]
