"""Lists of the API: cursor pagination over the primary key (stable while records are added: a new record
never shifts a page), and `?format=csv` with the page's own export columns (and their HXL row)."""

from typing import Literal

from django.utils.translation import get_language_bidi
from ninja import Field, Schema
from pydantic import create_model

from hosen.reports import tabular

DEFAULT_LIMIT = 50
MAX_LIMIT = 200
CSV_ROWS_AT_MOST = 100_000


class ListQuery(Schema):
    # The position is the last id of the previous page: records are listed by id, so a page never shifts when
    # records are added meanwhile. Clients follow `next`; the number is no secret (ids are in every record).
    cursor: int | None = Field(None, ge=0, le=2**62, description="Where the page starts: follow the `next` URL of "
                                                               "the previous page; none for the first page.")
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="Records per page.")


class ExportQuery(ListQuery):
    format: Literal["json", "csv"] = Field("json", description="csv: every record that the filters select, "
                                                                "with the page's export columns and HXL row.")


_pages: dict = {}


def page_of(schema):
    """The schema of one page of `schema` records."""
    if schema not in _pages:
        _pages[schema] = create_model(f"{schema.__name__}Page", __base__=Schema,
                                      results=(list[schema], ...), next=(str | None, None))
    return _pages[schema]


def _next_url(request, pk):
    query = request.GET.copy()
    query["cursor"] = str(pk)
    return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")


def paginate(request, queryset, query: ListQuery, present=None):
    """One page of records (each through `present` when given; else the operation's schema reads the record
    itself), and the URL of the next page (None on the last)."""
    after = query.cursor or 0
    rows = list(queryset.filter(pk__gt=after).order_by("pk")[: query.limit + 1])
    more = len(rows) > query.limit
    rows = rows[: query.limit]
    return {"results": [present(row) for row in rows] if present else rows,
            "next": _next_url(request, rows[-1].pk) if more else None}


def export_csv(queryset, columns, name):
    """Every selected record as CSV, as the page's export writes it (header in the caller's language, HXL row)."""
    return tabular.download(queryset.order_by("pk")[:CSV_ROWS_AT_MOST].iterator(chunk_size=2000), columns, name,
                            "csv", rtl=get_language_bidi())


CSV_RESPONSE = {"responses": {200: {"content": {"text/csv": {"schema": {"type": "string"}}}}}}
