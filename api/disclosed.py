"""
The one serializer base of the API: it asks the disclosure declaration (cases/disclosure.py)
which fields of a model the public may see, and nothing else.

- The model's own fields are not listed by hand: every public and publication field that is
  not a relation is serialized, and a field added later follows its declaration.
- Relations are declared by the resource's serializer (a link to a published record, or a
  nested serializer of this base), because which related records are public is the
  resource's question (a draft appeal, a protected defender). Each declared field's source is
  checked against the declaration: a field whose source passes through a confidential or
  internal field is refused when the serializer is built (ImproperlyConfigured), whatever
  its name or kind, so a confidential field cannot be serialized by mistake.
- A field public only where a condition holds (PublicWhen: a public source's title, an
  unprotected defender's name) is null on the records where it does not.
"""

from django.core.exceptions import FieldDoesNotExist, ImproperlyConfigured
from django_countries.serializers import CountryFieldMixin
from rest_framework import serializers

from cases import disclosure


def _visible(model, name):
    """Whether the declaration lets the public see field `name` of `model` (on some rows)."""
    kind = disclosure.DECLARATION.get(model, {}).get(name)
    return kind in (disclosure.PUBLIC, disclosure.PUBLICATION) or isinstance(
        kind, disclosure.PublicWhen
    )


def check_source(model, source, where, derived=None):
    """
    Refuse a serializer field whose source (`case.internal_notes`, `risk_level`, an attribute
    that is no field) reaches anything the declaration does not make public. `where` names
    the field in the message; `derived` maps attributes the view prefetches (a relation
    filtered to its public records: "public_citations") to the relation they filter.
    """
    if source == "*":
        return  # the record itself: a link to it, or a method that builds from public fields
    current = model
    parts = source.split(".")
    if derived and parts[0] in derived:
        parts[0] = derived[parts[0]]
    for part in parts:
        if current is None:
            raise ImproperlyConfigured(f"{where}: {source!r} goes past a value.")
        if current not in disclosure.DECLARATION:
            raise ImproperlyConfigured(f"{where}: {current.__name__} has no declaration.")
        try:
            model_field = current._meta.get_field(part)
        except FieldDoesNotExist:
            model_field = None
        if model_field is None:
            raise ImproperlyConfigured(
                f"{where}: {current.__name__}.{part} is not a field the disclosure declaration "
                "knows; serialize declared fields only."
            )
        if model_field.auto_created and not model_field.concrete:
            # A reverse relation ("requested_actions"): public if the key pointing back is.
            remote = model_field.remote_field
            if not _visible(model_field.related_model, remote.name):
                raise ImproperlyConfigured(
                    f"{where}: {model_field.related_model.__name__}.{remote.name} is not public."
                )
        elif not _visible(current, model_field.name):
            raise ImproperlyConfigured(
                f"{where}: {current.__name__}.{model_field.name} is "
                f"{disclosure.DECLARATION[current].get(model_field.name, 'undeclared')}: "
                "never public, so never serialized."
            )
        current = model_field.related_model


class PublicLink(serializers.HyperlinkedRelatedField):
    """
    A link to a related record, or null when that record is not public (`is_public(obj)`):
    a draft appeal, an unpublished case or a private source is never named, not even by its
    address.
    """

    def __init__(self, view_name, is_public, lookup_field="pk", **kwargs):
        self.is_public = is_public
        kwargs.setdefault("read_only", True)
        kwargs.setdefault("allow_null", True)
        super().__init__(view_name=view_name, lookup_field=lookup_field, **kwargs)

    def get_attribute(self, instance):
        value = super().get_attribute(instance)
        if value is None or not self.is_public(value):
            return None
        return value

    def to_representation(self, value):
        if value is None:
            return None
        return super().to_representation(value)

    def use_pk_only_optimization(self):
        return False  # is_public reads the related record


class DisclosedSerializer(CountryFieldMixin, serializers.ModelSerializer):
    """
    A ModelSerializer whose model fields come from cases/disclosure.py. Subclasses set
    `Meta.model` and declare their relations and links; `Meta.fields` may add names, which
    are checked like any other (naming a confidential field is an error, not a field).
    """

    class Meta:
        model = None
        fields = ()

    def get_field_names(self, declared_fields, info):
        model = self.Meta.model
        own = [
            f.name
            for f in model._meta.get_fields()
            if (f.concrete and not f.is_relation)
            and f.name in disclosure.public_fields(model)
            and f.name not in getattr(self.Meta, "exclude_public", ())
        ]
        for name, declared in declared_fields.items():
            if name in own and declared.source not in (None, name):
                raise ImproperlyConfigured(
                    f"{type(self).__name__}.{name} hides the model's own public field {name}."
                )
        named = [name for name in getattr(self.Meta, "fields", ()) or () if name not in own]
        return own + named + [name for name in declared_fields if name not in own + named]

    def get_fields(self):
        fields = super().get_fields()
        model = self.Meta.model
        for name, field in fields.items():
            check_source(
                model,
                field.source or name,
                f"{type(self).__name__}.{name}",
                getattr(self.Meta, "derived", None),
            )
            if self._conditional(field.source or name):
                field.allow_null = True
        return fields

    def _conditional(self, source):
        model = self.Meta.model
        first = source.split(".")[0]
        kind = disclosure.DECLARATION.get(model, {}).get(first)
        return isinstance(kind, disclosure.PublicWhen)

    def to_representation(self, instance):
        data = super().to_representation(instance)
        model = self.Meta.model
        shown = disclosure.public_fields(model, instance)
        for name, field in self.fields.items():
            first = field.source.split(".")[0]
            if (
                first != "*"
                and first in disclosure.DECLARATION.get(model, {})
                and first not in shown
            ):
                data[name] = None
        return data
