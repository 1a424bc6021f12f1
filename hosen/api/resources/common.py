"""What every resource module shares: choice types for the schema, the record's version in its output, and the
answers of a create and an edit."""

from datetime import date, datetime
from typing import Annotated, Literal

from django.db import models
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Schema
from pydantic import AfterValidator, BeforeValidator, ConfigDict, StrictBool, StrictInt, StrictStr, WithJsonSchema

from hosen.integrity.versions import version_of
from hosen.workmodel.services import current_emergency

from ..guard import etag, json_response
from ..problems import Problem

# Types of request bodies. JSON says what it means: `true` is not 1, `"5"` is not 5. A body that says otherwise is
# refused (422) rather than guessed at, so what the schema promises is exactly what is accepted.
Int = StrictInt
Flag = StrictBool
Text = StrictStr


def _iso_text(value):
    if not isinstance(value, str):
        raise ValueError("must be ISO 8601 text")
    return value


# A date ("2026-10-07") and a moment ("2026-10-07T09:40:00+03:00") are ISO 8601 text: 0 is not 1970.
Day = Annotated[date, BeforeValidator(_iso_text)]
Moment = Annotated[datetime, BeforeValidator(_iso_text)]


class Body(Schema):
    """Base of every request body: a field the operation does not know is an error, not silently dropped (a
    misspelled field name would otherwise lose what was sent)."""

    model_config = ConfigDict(extra="forbid")


def one_of(choices):
    """A body field that admits exactly the values of a Django choices class (an enum in OpenAPI)."""
    if issubclass(choices, models.IntegerChoices):
        values = list(choices.values)

        def known(value):
            if value not in values:
                raise ValueError(f"must be one of {values}")
            return value

        return Annotated[StrictInt, AfterValidator(known), WithJsonSchema({"type": "integer", "enum": values})]
    return Literal[tuple(choices.values)]


def filter_of(choices):
    """A query-string filter over a choices class: integer choices are an IntEnum, which reads "4" from a query
    string (text is all a query string has)."""
    if issubclass(choices, models.IntegerChoices):
        return choices
    return Literal[tuple(choices.values)]


class Versioned(Schema):
    """Every record carries its version: send it back in If-Match to change the record."""

    version: str

    @staticmethod
    def resolve_version(obj):
        return version_of(obj)


def open_emergency(authority):
    """The authority's current emergency, which new records join; 409 when none is open."""
    emergency = current_emergency(authority)
    if emergency is None:
        raise Problem(409, "bad-request", _("There is no open emergency in this authority: open one first."))
    return emergency


def chosen_emergency(authority, emergency_id):
    """The emergency a list is about: the one asked for, else the current one (None when none is open)."""
    from hosen.workmodel.models import Emergency

    if emergency_id is None:
        return current_emergency(authority)
    return get_object_or_404(Emergency.objects.filter(authority=authority), pk=emergency_id)


def created(schema, record, location):
    record.refresh_from_db()  # as stored (25000 comes back 25000.00): the version answered is the one an edit sees
    return json_response(201, present(schema)(record), {"Location": location, "ETag": etag(record)})


def saved(schema, record):
    record.refresh_from_db()
    return json_response(200, present(schema)(record), {"ETag": etag(record)})


def present(schema):
    """record → dict for json_response and for the "current" of a conflict; dates and times are written by the
    same encoder as every other answer's (hosen/api/guard.py)."""
    return lambda record: schema.from_orm(record).model_dump()


# The answers every operation may give besides its own, for the schema (and so for schemathesis).
READ_ERRORS = {401, 403, 404, 422, 429}
WRITE_ERRORS = READ_ERRORS | {400, 409}
EDIT_ERRORS = WRITE_ERRORS | {412, 428}
