"""The accompanying axis in the API: partners and decision makers with their last contact and whether a call is
due, the people to talk to there, and the log of contacts with them.

As on the partners' pages, an authority's partners are read in one query with their last contact and filtered
in Python (tens to a few hundred per authority): the reminder rule stays in one function
(hosen/partners/models.py, needs_contact)."""

from datetime import datetime
from typing import Annotated

from django.db.models import Prefetch, prefetch_related_objects
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language_bidi
from ninja import Field, ModelSchema, Query, Router, Schema

from hosen.partners.forms import SUMMARY_MAX, ContactForm, ContactLogForm, PartnerFilterForm, PartnerForm
from hosen.partners.models import REMINDER_DAYS_MAX, Contact, ContactChannel, ContactLog, Partner, PartnerKind
from hosen.partners.queries import mark, with_last_contact
from hosen.partners.views import _apply as apply_filters
from hosen.partners.views import export_columns as partner_columns
from hosen.reports import tabular
from hosen.workmodel.services import current_emergency

from ..forms_bridge import bind
from ..guard import authority_scope, current_for_edit, etag, write
from ..listing import CSV_RESPONSE, CSV_ROWS_AT_MOST, ExportQuery, ListQuery, _next_url, page_of, paginate
from ..schemas import documented
from .common import (
    EDIT_ERRORS,
    READ_ERRORS,
    WRITE_ERRORS,
    Body,
    Day,
    Flag,
    Int,
    Moment,
    Text,
    Versioned,
    created,
    filter_of,
    one_of,
    present,
    saved,
)

router = Router(tags=["partners"])


class ContactOut(ModelSchema):
    """A person to talk to at the partner. The partners' pages show their phone and e-mail to everyone who may
    read the authority, and so does the API."""

    class Meta:
        model = Contact
        fields = ["id", "partner", "name", "role", "phone", "email"]


Name = Annotated[Text, Field(min_length=1, max_length=200)]
Short = Annotated[Text, Field(max_length=200)]


class ContactIn(Body):
    name: Name
    role: Short = ""
    phone: Annotated[Text, Field(max_length=40)] = ""
    email: Annotated[Text, Field(min_length=3, max_length=254, json_schema_extra={"format": "email"})] | None = Field(
        None, description="An e-mail address, or none.")


def _last_contact(obj):
    if not hasattr(obj, "last_contact_at"):
        obj.last_contact_at = (ContactLog.objects.filter(partner=obj).order_by("-happened_at")
                               .values_list("happened_at", flat=True).first())
    if not hasattr(obj, "due"):
        mark([obj], timezone.now())
    return obj


class PartnerOut(Versioned, ModelSchema):
    last_contact_at: datetime | None = Field(None, description="When the newest contact in the log happened.")
    due: bool = Field(description="A call is due: an active key partner or decision maker not contacted within its "
                                  "reminder's days.")
    reminder_after_days: int | None = Field(
        description="Days without contact before a reminder; null for a partner Hosen does not remind about.")
    contacts: list[ContactOut]

    class Meta:
        model = Partner
        fields = ["id", "name", "kind", "is_key", "is_decision_maker", "since", "reminder_days", "notes",
                  "is_active", "born_in", "created_at"]

    @staticmethod
    def resolve_last_contact_at(obj):
        return _last_contact(obj).last_contact_at

    @staticmethod
    def resolve_due(obj):
        return _last_contact(obj).due

    @staticmethod
    def resolve_reminder_after_days(obj):
        return obj.window_days if obj.watched and obj.is_active else None

    @staticmethod
    def resolve_contacts(obj):
        return list(obj.contacts.all())


ReminderDays = Annotated[Int, Field(ge=1, le=REMINDER_DAYS_MAX)]
Notes = Annotated[Text, Field(max_length=5000)]


class PartnerIn(Body):
    name: Name
    kind: one_of(PartnerKind)
    is_key: Flag = False
    is_decision_maker: Flag = False
    since: Day | None = Field(None, description="Partner since this date.")
    reminder_days: ReminderDays | None = Field(None, description="Days without contact before a reminder; null: 7 "
                                                                 "for a decision maker, 14 for a key partner.")
    notes: Notes = ""
    new_collaboration: Flag = Field(False, description="A new collaboration, born in the current emergency.")


class PartnerPatch(Body):
    name: Name | None = None
    kind: one_of(PartnerKind) | None = None
    is_key: Flag | None = None
    is_decision_maker: Flag | None = None
    since: Day | None = None
    reminder_days: ReminderDays | None = None
    notes: Notes | None = None
    new_collaboration: Flag | None = None
    is_active: Flag | None = Field(None, description="false: no longer a partner (kept, with its log).")


class PartnerFilters(Schema):
    q: str | None = Field(None, max_length=200, description="Words in the name or the notes.")
    kind: filter_of(PartnerKind) | None = None
    key: bool | None = Field(None, description="true: key partners only.")
    decision: bool | None = Field(None, description="true: decision makers only.")
    new: bool | None = Field(None, description="true: new collaborations, born in the current emergency.")
    overdue: bool | None = Field(None, description="true: those a call is due to.")
    inactive: bool | None = Field(None, description="true: inactive partners too.")


def _partner_url(slug, pk):
    return reverse("api-v1:partner", kwargs={"slug": slug, "partner_id": pk})


def _partners(authority):
    return Partner.objects.filter(authority=authority)


def _contacts():
    return Prefetch("contacts", queryset=Contact.objects.order_by("name", "pk"))


def _partner(authority, partner_id):
    partner = get_object_or_404(with_last_contact(_partners(authority)).prefetch_related(_contacts()), pk=partner_id)
    return mark([partner], timezone.now())[0]


@router.get("/{slug}/partners/", response=page_of(PartnerOut), url_name="partners",
            openapi_extra=documented(READ_ERRORS, CSV_RESPONSE))
def list_partners(request, slug: str, filters: Query[PartnerFilters], page: Query[ExportQuery]):
    """Partners and decision makers with the partners page's filters, each with its last contact, whether a call is
    due and its contact people; `format=csv` gives the page's export of the partners the filters select."""
    with authority_scope(request, slug) as authority:
        values = bind(PartnerFilterForm, filters.dict(exclude_none=True)).values()
        everyone = with_last_contact(_partners(authority))
        if not values.get("inactive"):
            everyone = everyone.filter(is_active=True)
        rows = apply_filters(mark(list(everyone.order_by("pk")), timezone.now()), values, current_emergency(authority))
        if page.format == "csv":
            rows = rows[:CSV_ROWS_AT_MOST]
            prefetch_related_objects(rows, _contacts())
            return tabular.download(rows, partner_columns(current_emergency(authority)), "partners", "csv",
                                    rtl=get_language_bidi())
        after = page.cursor or 0
        rows = [p for p in rows if p.pk > after][: page.limit + 1]
        more = len(rows) > page.limit
        rows = rows[: page.limit]
        prefetch_related_objects(rows, _contacts())
        return {"results": rows, "next": _next_url(request, rows[-1].pk) if more else None}


@router.get("/{slug}/partners/{partner_id}/", response=PartnerOut, url_name="partner",
            openapi_extra=documented(READ_ERRORS))
def get_partner(request, response: HttpResponse, slug: str, partner_id: int):
    with authority_scope(request, slug) as authority:
        partner = _partner(authority, partner_id)
        response["ETag"] = etag(partner)
        return partner


@router.post("/{slug}/partners/", response={201: PartnerOut}, openapi_extra=documented(WRITE_ERRORS))
def create_partner(request, slug: str, payload: PartnerIn):
    """A partner on the register; a name already there (ignoring case and spacing) is refused. Send an
    Idempotency-Key: the same key again adds nothing."""
    with authority_scope(request, slug, "change") as authority:
        def make():
            partner = bind(PartnerForm, payload.dict(), authority=authority,
                           emergency=current_emergency(authority)).save(commit=False)
            partner.authority = authority
            partner.save()
            return created(PartnerOut, _partner(authority, partner.pk), _partner_url(slug, partner.pk))

        return write(request, make, creates=True)


@router.patch("/{slug}/partners/{partner_id}/", response=PartnerOut, openapi_extra=documented(EDIT_ERRORS))
def edit_partner(request, slug: str, partner_id: int, payload: PartnerPatch):
    """Change a partner: send its version in If-Match."""
    with authority_scope(request, slug, "change") as authority:
        def make():
            partner = current_for_edit(request, Partner, partner_id, present(PartnerOut))
            partner = bind(PartnerForm, payload.dict(exclude_unset=True), instance=partner, authority=authority,
                           emergency=current_emergency(authority)).save(commit=False)
            partner._history_user = request.user
            partner.save()
            return saved(PartnerOut, _partner(authority, partner.pk))

        return write(request, make)


# ---- contact people --------------------------------------------------------------------------------------


def _own_partner(authority, partner_id):
    return get_object_or_404(_partners(authority), pk=partner_id)


@router.get("/{slug}/partners/{partner_id}/contacts/", response=page_of(ContactOut), url_name="partner_contacts",
            openapi_extra=documented(READ_ERRORS))
def list_contacts(request, slug: str, partner_id: int, page: Query[ListQuery]):
    with authority_scope(request, slug) as authority:
        partner = _own_partner(authority, partner_id)
        return paginate(request, Contact.objects.filter(partner=partner), page)


@router.get("/{slug}/partners/{partner_id}/contacts/{contact_id}/", response=ContactOut, url_name="partner_contact",
            openapi_extra=documented(READ_ERRORS))
def get_contact(request, slug: str, partner_id: int, contact_id: int):
    with authority_scope(request, slug) as authority:
        partner = _own_partner(authority, partner_id)
        return get_object_or_404(Contact.objects.filter(partner=partner), pk=contact_id)


@router.post("/{slug}/partners/{partner_id}/contacts/", response={201: ContactOut},
             openapi_extra=documented(WRITE_ERRORS))
def add_contact(request, slug: str, partner_id: int, payload: ContactIn):
    """A person to talk to at the partner. Send an Idempotency-Key: the same key again adds nothing."""
    with authority_scope(request, slug, "change") as authority:
        def make():
            partner = _own_partner(authority, partner_id)
            contact = bind(ContactForm, payload.dict()).save(commit=False)
            contact.authority, contact.partner = authority, partner
            contact.save()
            return created(ContactOut, contact, reverse("api-v1:partner_contact", kwargs={
                "slug": slug, "partner_id": partner.pk, "contact_id": contact.pk}))

        return write(request, make, creates=True)


# ---- the contact log -------------------------------------------------------------------------------------


class ContactLogOut(ModelSchema):
    created_by: str | None = Field(None, description="The name of who logged it.")

    class Meta:
        model = ContactLog
        fields = ["id", "partner", "contact", "happened_at", "channel", "summary", "emergency", "created_at"]

    @staticmethod
    def resolve_created_by(obj):
        return (obj.created_by.full_name or None) if obj.created_by_id else None


class ContactLogIn(Body):
    channel: one_of(ContactChannel) = ContactChannel.CALL.value
    contact: Int | None = Field(None, description="One of the partner's contact people (an id).")
    summary: Annotated[Text, Field(min_length=1, max_length=SUMMARY_MAX)] = Field(
        description="What was said or agreed, in a line.")
    happened_at: Moment | None = Field(None, description="ISO 8601; without an offset it is the local time in "
                                                           "Israel. Not in the future. Now when not given.")


@router.get("/{slug}/partners/{partner_id}/log/", response=page_of(ContactLogOut), url_name="partner_log",
            openapi_extra=documented(READ_ERRORS))
def list_log(request, slug: str, partner_id: int, page: Query[ListQuery]):
    """The contacts with the partner: who, when, how and what was said."""
    with authority_scope(request, slug) as authority:
        partner = _own_partner(authority, partner_id)
        return paginate(request, ContactLog.objects.filter(partner=partner).select_related("created_by"), page)


@router.get("/{slug}/partners/{partner_id}/log/{log_id}/", response=ContactLogOut, url_name="partner_log_entry",
            openapi_extra=documented(READ_ERRORS))
def get_log_entry(request, slug: str, partner_id: int, log_id: int):
    with authority_scope(request, slug) as authority:
        partner = _own_partner(authority, partner_id)
        return get_object_or_404(ContactLog.objects.filter(partner=partner).select_related("created_by"), pk=log_id)


@router.post("/{slug}/partners/{partner_id}/log/", response={201: ContactLogOut},
             openapi_extra=documented(WRITE_ERRORS))
def log_contact(request, slug: str, partner_id: int, payload: ContactLogIn):
    """A contact with the partner, in its log: it resets the partner's reminder. Send an Idempotency-Key: the same
    key again adds nothing."""
    with authority_scope(request, slug, "change") as authority:
        def make():
            partner = _own_partner(authority, partner_id)
            log = bind(ContactLogForm, payload.dict(), partner=partner, now=timezone.now()).save(commit=False)
            log.authority, log.partner = authority, partner
            log.emergency = current_emergency(authority)
            log.created_by = request.user
            log.save()
            return created(ContactLogOut, log, reverse("api-v1:partner_log_entry", kwargs={
                "slug": slug, "partner_id": partner.pk, "log_id": log.pk}))

        return write(request, make, creates=True)
