"""Read an admin change form back into the data a browser would post."""

from django.forms import ModelMultipleChoiceField, MultipleChoiceField, MultiWidget
from django.forms.models import BaseInlineFormSet


def _field_data(form):
    data = {}
    for name, field in form.fields.items():
        if name in getattr(form, "_readonly", ()):
            continue
        value = form[name].value()
        key = form.add_prefix(name)
        widget = getattr(field.widget, "widget", field.widget)  # unwrap related-field wrappers
        if isinstance(widget, MultiWidget) and not isinstance(value, list | tuple):
            parts = widget.decompress(value) if value is not None else [None] * len(widget.widgets)
            for i, part in enumerate(parts):
                data[f"{key}_{i}"] = "" if part is None else str(part)
            continue
        if value is None and isinstance(field, MultipleChoiceField | ModelMultipleChoiceField):
            continue  # nothing selected: a browser sends no value at all
        if isinstance(value, list | tuple):
            data[key] = [str(v) for v in value]
        elif value is None:
            data[key] = ""
        elif isinstance(value, bool):
            if value:
                data[key] = "on"
        else:
            data[key] = str(value)
    return data


def form_data(response):
    context = response.context
    data = _field_data(context["adminform"].form)
    for inline in context["inline_admin_formsets"]:
        formset: BaseInlineFormSet = inline.formset
        management = formset.management_form
        data.update(_field_data(management))
        for form in formset.forms:
            data.update(_field_data(form))
    return data


def publish_in_admin(client, appeal):
    """Open the publish confirmation as a publisher would, and confirm what it shows."""
    import re

    from django.urls import reverse

    url = reverse("admin:cases_appeal_publish", args=[appeal.pk])
    page = client.get(url).content.decode()
    version = re.search(r'name="version" value="(\d+)"', page)
    assert version, "the confirmation carries no version"
    return client.post(url, {"version": version.group(1)})
