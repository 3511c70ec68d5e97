"""
The API's documentation page: plain HTML rendered on the server from the OpenAPI schema, so
that it needs no script, font or style from elsewhere and the site's strict CSP holds.
"""

import functools

from django.shortcuts import render
from drf_spectacular.generators import SchemaGenerator


@functools.cache
def _schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def _ref_name(schema):
    ref = (schema or {}).get("$ref", "")
    return ref.rsplit("/", 1)[-1] if ref else ""


def _type_of(schema):
    """'string (date)', 'Case', 'list of Authority', 'one of: open, closed'."""
    schema = schema or {}
    if "$ref" in schema:
        return _ref_name(schema)
    for combined in ("allOf", "oneOf", "anyOf"):
        if combined in schema:
            return " or ".join(_type_of(part) for part in schema[combined])
    if "enum" in schema:
        values = [str(v) for v in schema["enum"] if v not in ("", None)]
        shown = ", ".join(values[:12]) + (", …" if len(values) > 12 else "")
        return f"one of: {shown}"
    kind = schema.get("type", "object")
    if kind == "array":
        return f"list of {_type_of(schema.get('items'))}"
    if "format" in schema:
        return f"{kind} ({schema['format']})"
    return kind


def _operations(schema):
    for path, methods in schema.get("paths", {}).items():
        operation = methods.get("get")
        if not operation:
            continue
        content = operation.get("responses", {}).get("200", {}).get("content", {})
        body = content.get("application/json", {}).get("schema", {})
        yield {
            "path": path,
            "summary": operation.get("summary", ""),
            "description": operation.get("description", ""),
            "anchor": operation.get("operationId", path),
            "parameters": [
                {
                    "name": p["name"],
                    "where": p.get("in", ""),
                    "required": p.get("required", False),
                    "type": _type_of(p.get("schema")),
                    "description": p.get("description", ""),
                }
                for p in operation.get("parameters", [])
            ],
            "returns": _type_of(body),
        }


def _components(schema):
    for name, component in sorted(schema.get("components", {}).get("schemas", {}).items()):
        required = set(component.get("required", []))
        yield {
            "name": name,
            "description": component.get("description", ""),
            "fields": [
                {
                    "name": field,
                    "type": _type_of(spec),
                    "nullable": spec.get("nullable", False),
                    "required": field in required,
                    "description": spec.get("description", ""),
                }
                for field, spec in component.get("properties", {}).items()
            ],
        }


def documentation(request):
    schema = _schema()
    return render(
        request,
        "api/docs.html",
        {
            "info": schema.get("info", {}),
            "operations": list(_operations(schema)),
            "components": list(_components(schema)),
        },
    )
