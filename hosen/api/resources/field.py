"""Stage 2 in the API: sites and their status reports, and the needs register."""

from typing import Annotated, Literal

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, ModelSchema, Query, Router, Schema

from hosen.field import services
from hosen.field.forms_needs import DESCRIPTION_MAX, QUANTITY_MAX, UNMET_FILTER, NeedEditForm, NeedFilterForm, NeedForm
from hosen.field.forms_sites import MAX_NOTE, MAX_PEOPLE, SiteForm, StatusForm
from hosen.field.models import (
    URGENT,
    Audience,
    Need,
    NeedCategory,
    NeedStatus,
    Site,
    SiteKind,
    SiteState,
    SiteStatus,
    Urgency,
)
from hosen.field.views_needs import export_columns as need_columns

from ..forms_bridge import bind
from ..guard import authority_scope, current_for_edit, etag, json_response, write
from ..listing import CSV_RESPONSE, ExportQuery, ListQuery, export_csv, page_of, paginate
from ..problems import Problem
from ..schemas import documented
from .common import (
    EDIT_ERRORS,
    READ_ERRORS,
    WRITE_ERRORS,
    Body,
    Flag,
    Int,
    Text,
    Versioned,
    chosen_emergency,
    created,
    filter_of,
    one_of,
    open_emergency,
    present,
    saved,
)

router = Router(tags=["field"])

# ---- sites -------------------------------------------------------------------------------------------


class SiteOut(Versioned, ModelSchema):
    class Meta:
        model = Site
        fields = ["id", "name", "kind", "code", "address", "area", "students", "staff", "contact_name",
                  "contact_phone", "contact_email", "has_protected_space", "protected_capacity", "notes",
                  "is_active", "created_at"]


# The limits of the page's form, stated in the schema too (the form still checks them, in the caller's language).
Name = Annotated[Text, Field(min_length=1, max_length=200)]
People = Annotated[Int, Field(ge=0, le=MAX_PEOPLE)]


class SiteIn(Body):
    name: Name
    kind: one_of(SiteKind)
    code: Annotated[Text, Field(max_length=30)] = ""
    address: Annotated[Text, Field(max_length=300)] = ""
    area: Annotated[Text, Field(max_length=100)] = ""
    students: People | None = None
    staff: People | None = None
    contact_name: Annotated[Text, Field(max_length=200)] = ""
    contact_phone: Annotated[Text, Field(max_length=40)] = ""
    contact_email: Annotated[Text, Field(max_length=254)] = ""
    has_protected_space: Flag = False
    protected_capacity: People | None = None
    notes: Annotated[Text, Field(max_length=5000)] = ""


class SitePatch(Body):
    name: Name | None = None
    kind: one_of(SiteKind) | None = None
    code: Annotated[Text, Field(max_length=30)] | None = None
    address: Annotated[Text, Field(max_length=300)] | None = None
    area: Annotated[Text, Field(max_length=100)] | None = None
    students: People | None = None
    staff: People | None = None
    contact_name: Annotated[Text, Field(max_length=200)] | None = None
    contact_phone: Annotated[Text, Field(max_length=40)] | None = None
    contact_email: Annotated[Text, Field(max_length=254)] | None = None
    has_protected_space: Flag | None = None
    protected_capacity: People | None = None
    notes: Annotated[Text, Field(max_length=5000)] | None = None
    is_active: Flag | None = Field(None, description="false archives the site, true restores it.")


class SiteFilters(Schema):
    kind: filter_of(SiteKind) | None = None
    area: str | None = None
    active: bool | None = Field(True, description="Archived sites with false; both with null.")


def _site_url(slug, pk):
    return reverse("api-v1:site", kwargs={"slug": slug, "site_id": pk})


@router.get("/{slug}/sites/", response=page_of(SiteOut), url_name="sites", openapi_extra=documented(READ_ERRORS))
def list_sites(request, slug: str, filters: Query[SiteFilters], page: Query[ListQuery]):
    with authority_scope(request, slug) as authority:
        sites = Site.objects.filter(authority=authority)
        if filters.kind:
            sites = sites.filter(kind=filters.kind)
        if filters.area:
            sites = sites.filter(area=filters.area)
        if filters.active is not None:
            sites = sites.filter(is_active=filters.active)
        return paginate(request, sites, page)


@router.get("/{slug}/sites/{site_id}/", response=SiteOut, url_name="site", openapi_extra=documented(READ_ERRORS))
def get_site(request, response: HttpResponse, slug: str, site_id: int):
    with authority_scope(request, slug) as authority:
        site = get_object_or_404(Site.objects.filter(authority=authority), pk=site_id)
        response["ETag"] = etag(site)
        return site


@router.post("/{slug}/sites/", response={201: SiteOut}, openapi_extra=documented(WRITE_ERRORS))
def create_site(request, slug: str, payload: SiteIn):
    with authority_scope(request, slug, "change") as authority:
        def make():
            site = bind(SiteForm, payload.dict(), authority=authority).save()
            return created(SiteOut, site, _site_url(slug, site.pk))

        return write(request, make, creates=True)


@router.patch("/{slug}/sites/{site_id}/", response=SiteOut, openapi_extra=documented(EDIT_ERRORS))
def edit_site(request, slug: str, site_id: int, payload: SitePatch):
    with authority_scope(request, slug, "change"):
        def make():
            site = current_for_edit(request, Site, site_id, present(SiteOut))
            changes = payload.dict(exclude_unset=True)
            active = changes.pop("is_active", None)
            if changes:
                site = bind(SiteForm, changes, instance=site, authority=request.authority).save()
            if active is not None and active != site.is_active:
                site.is_active = active
                site.save(update_fields=["is_active"])
            return saved(SiteOut, site)

        return write(request, make)


# ---- site status reports -------------------------------------------------------------------------


class StatusOut(ModelSchema):
    class Meta:
        model = SiteStatus
        fields = ["id", "emergency", "site", "status", "present", "evacuated", "hosted",
                  "protected_space_available", "note", "reported_at", "reporter_name"]


class StatusIn(Body):
    status: one_of(SiteState)
    present: People | None = None
    evacuated: People | None = None
    hosted: People | None = None
    protected_space_available: Flag | None = Field(None, description="null: not known.")
    note: Annotated[Text, Field(max_length=MAX_NOTE)] = ""


class StatusFilters(Schema):
    emergency: int | None = Field(None, description="An emergency's id; the current one when not given.")


@router.get("/{slug}/sites/{site_id}/statuses/", response=page_of(StatusOut), url_name="site_statuses",
            openapi_extra=documented(READ_ERRORS))
def list_statuses(request, slug: str, site_id: int, filters: Query[StatusFilters], page: Query[ListQuery]):
    with authority_scope(request, slug) as authority:
        site = get_object_or_404(Site.objects.filter(authority=authority), pk=site_id)
        emergency = chosen_emergency(authority, filters.emergency)
        statuses = SiteStatus.objects.filter(site=site, emergency=emergency)
        return paginate(request, statuses, page)


@router.post("/{slug}/sites/{site_id}/statuses/", response={201: StatusOut}, openapi_extra=documented(WRITE_ERRORS))
def report_status(request, slug: str, site_id: int, payload: StatusIn):
    """A site's status now. Reports are added, never edited: the newest is the site's status."""
    with authority_scope(request, slug, "change") as authority:
        def make():
            site = get_object_or_404(Site.objects.filter(authority=authority), pk=site_id)
            emergency = open_emergency(authority)
            data = payload.dict()
            data["protected_space_available"] = {True: "yes", False: "no"}.get(data["protected_space_available"],
                                                                                 "unknown")
            if not site.is_active:
                raise Problem(409, "bad-request", _("This site is archived: restore it before reporting its status."))
            form = bind(StatusForm, data)
            report, _new = services.record_status(site, emergency, user=request.user, **form.report_fields())
            return json_response(201, StatusOut.from_orm(report).model_dump(mode="json"))

        return write(request, make, creates=True)


# ---- needs -------------------------------------------------------------------------------------------


class NeedOut(Versioned, ModelSchema):
    class Meta:
        model = Need
        fields = ["id", "emergency", "audience", "category", "description", "quantity", "urgency", "status",
                  "is_emerging", "source", "site", "created_at", "updated_at", "resolved_at"]


Description = Annotated[Text, Field(min_length=1, max_length=DESCRIPTION_MAX)]
Quantity = Annotated[Int, Field(ge=1, le=QUANTITY_MAX)]


class NeedIn(Body):
    audience: one_of(Audience)
    category: one_of(NeedCategory)
    description: Description
    quantity: Quantity | None = None
    urgency: one_of(Urgency) = Urgency.MEDIUM.value
    is_emerging: Flag = False
    source: Annotated[Text, Field(max_length=200)] = ""
    site: Int | None = Field(None, description="A site's id: required when the audience is a site.")


class NeedPatch(Body):
    audience: one_of(Audience) | None = None
    category: one_of(NeedCategory) | None = None
    description: Description | None = None
    quantity: Quantity | None = None
    urgency: one_of(Urgency) | None = None
    is_emerging: Flag | None = None
    source: Annotated[Text, Field(max_length=200)] | None = None
    site: Int | None = None
    status: one_of(NeedStatus) | None = None


class NeedFilters(Schema):
    emergency: int | None = Field(None, description="An emergency's id; the current one when not given.")
    q: str | None = Field(None, max_length=200, description="Words in the description.")
    category: filter_of(NeedCategory) | None = None
    urgency: filter_of(Urgency) | None = None
    status: Literal[(*NeedStatus.values, UNMET_FILTER)] | None = Field(
        None, description="A status, or `unmet`: open or in progress.")
    audience: filter_of(Audience) | None = None
    site: int | None = Field(None, description="A site's id.")
    emerging: bool | None = None
    urgent: bool | None = Field(None, description="true: high and critical urgency only (the page's \"urgent\").")


def _need_url(slug, pk):
    return reverse("api-v1:need", kwargs={"slug": slug, "need_id": pk})


@router.get("/{slug}/needs/", response=page_of(NeedOut), url_name="needs",
            openapi_extra=documented(READ_ERRORS, CSV_RESPONSE))
def list_needs(request, slug: str, filters: Query[NeedFilters], page: Query[ExportQuery]):
    """The needs of an emergency, with the needs page's filters; `format=csv` gives its export."""
    with authority_scope(request, slug) as authority:
        emergency = chosen_emergency(authority, filters.emergency)
        values = filters.dict(exclude_none=True, exclude={"emergency", "site", "urgent"})
        if "emerging" in values:
            values["emerging"] = "1" if values["emerging"] else "0"
        form = bind(NeedFilterForm, values, authority=authority)
        needs = form.apply(Need.objects.filter(authority=authority, emergency=emergency))
        if filters.site is not None:  # a site that is not there selects nothing, as any filter would
            needs = needs.filter(site_id=filters.site)
        if filters.urgent is not None:
            needs = needs.filter(urgency__in=URGENT) if filters.urgent else needs.exclude(urgency__in=URGENT)
        if page.format == "csv":
            return export_csv(needs.select_related("site"), need_columns(), "needs")
        return paginate(request, needs, page)


@router.get("/{slug}/needs/{need_id}/", response=NeedOut, url_name="need", openapi_extra=documented(READ_ERRORS))
def get_need(request, response: HttpResponse, slug: str, need_id: int):
    with authority_scope(request, slug) as authority:
        need = get_object_or_404(Need.objects.filter(authority=authority), pk=need_id)
        response["ETag"] = etag(need)
        return need


@router.post("/{slug}/needs/", response={201: NeedOut}, openapi_extra=documented(WRITE_ERRORS))
def create_need(request, slug: str, payload: NeedIn):
    """A need in the current emergency. Send an Idempotency-Key: the same key again creates nothing."""
    with authority_scope(request, slug, "change") as authority:
        def make():
            emergency = open_emergency(authority)
            form = bind(NeedForm, payload.dict(), authority=authority)
            fields = {name: form.cleaned_data[name] for name in NeedForm.Meta.fields}
            need = services.add_need(authority, emergency, user=request.user, **fields)
            return created(NeedOut, need, _need_url(slug, need.pk))

        return write(request, make, creates=True)


@router.patch("/{slug}/needs/{need_id}/", response=NeedOut, openapi_extra=documented(EDIT_ERRORS))
def edit_need(request, slug: str, need_id: int, payload: NeedPatch):
    """Change a need: send its version in If-Match; a need of a closed emergency no longer changes."""
    with authority_scope(request, slug, "change") as authority:
        def make():
            need = current_for_edit(request, Need, need_id, present(NeedOut))
            if not need.emergency.is_open:
                raise Problem(409, "bad-request",
                              _("This need belongs to a closed emergency and can no longer change."))
            old_status = need.status
            need = bind(NeedEditForm, payload.dict(exclude_unset=True), instance=need, authority=authority).save(
                commit=False)
            if need.status != old_status:
                need.resolved_at = None if need.is_open else timezone.now()
            need.save()
            return saved(NeedOut, need)

        return write(request, make)
