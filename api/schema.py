"""What the generated schema needs told: one name for the list of countries, and the answers
every operation may give besides its 200."""

from django_countries import countries


def country_choices():
    """Every country code, as the country fields offer them (ENUM_NAME_OVERRIDES)."""
    return list(countries)


_DETAIL = {
    "type": "object",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
}
_FIELD_ERRORS = {
    "type": "object",
    "description": "What is wrong with each parameter, in words.",
    "additionalProperties": {"type": "array", "items": {"type": "string"}},
}


def _json(description, schema, headers=None):
    response = {"description": description, "content": {"application/json": {"schema": schema}}}
    if headers:
        response["headers"] = headers
    return response


def _as_the_address_reads_it(schema):
    """A record's number or slug as the URL pattern matches it (<int:pk>, <slug:slug>)."""
    if schema.get("type") == "integer":
        schema.update(minimum=0, maximum=2**63 - 1)
    elif schema.get("type") == "string":
        schema.update(pattern="^[-a-zA-Z0-9_]+$")


def document_errors(result, generator, request, public):
    """drf-spectacular postprocessing hook: 304, 400, 404 and 429 where they can happen."""
    for path, methods in result.get("paths", {}).items():
        operation = methods.get("get")
        if operation is None or not path.startswith("/api/v1/"):
            continue
        for parameter in operation.get("parameters", []):
            if parameter.get("in") == "path":
                _as_the_address_reads_it(parameter.setdefault("schema", {}))
        responses = operation.setdefault("responses", {})
        responses.setdefault(
            "304", {"description": "Not modified since the ETag or date the request sent."}
        )
        if operation.get("parameters"):
            responses.setdefault(
                "400", _json("A parameter has a value no published record has.", _FIELD_ERRORS)
            )
        responses.setdefault(
            "404", _json("No such published record, or not a page of this list.", _DETAIL)
        )
        responses.setdefault(
            "429",
            _json(
                "Too many requests from this address: try again after Retry-After seconds.",
                _DETAIL,
                {"Retry-After": {"schema": {"type": "integer"}}},
            ),
        )
    return result


def language_choices():
    """The site's languages as the schema names them: one enum, whichever field holds one."""
    from django.conf import settings

    return [(code, str(name)) for code, name in settings.LANGUAGES]
