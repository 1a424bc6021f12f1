"""Stage 3 in the API: people and their skills (and the skills an authority's forms offer), facilities, funding
sources and communication channels — with the registers' own filters, forms and exports.

People's phones and e-mail addresses, and the addresses of a mailing list, go to those who may change the
register (the manager and the team) and to nobody else: a viewer or an overseer gets each record without them,
and its CSV without their columns."""

import hashlib
from datetime import date, datetime
from decimal import Decimal
from types import SimpleNamespace
from typing import Literal

from django.db.models import Q
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, ModelSchema, Query, Router, Schema

from hosen.field.models import NeedCategory
from hosen.integrity.versions import locked, version_of
from hosen.resources import skills as vocabulary
from hosen.resources import views_channels, views_facilities, views_funding, views_people
from hosen.resources.forms_registers import (
    LANGUAGE_CHOICES,
    ChannelFilter,
    ChannelForm,
    FacilityFilter,
    FacilityForm,
    FundingFilter,
    FundingForm,
    PeopleFilter,
    PersonForm,
)
from hosen.resources.models import (
    Availability,
    Channel,
    ChannelKind,
    Facility,
    FacilityKind,
    FundingKind,
    FundingSource,
    FundingStatus,
    Person,
    PersonKind,
)
from hosen.workmodel.services import current_emergency

from ..forms_bridge import bind, form_errors
from ..guard import authority_scope, current_for_edit, etag, json_response, sent_version, write
from ..listing import CSV_RESPONSE, ExportQuery, ListQuery, export_csv, page_of, paginate
from ..problems import Problem
from ..schemas import documented
from .common import EDIT_ERRORS, READ_ERRORS, WRITE_ERRORS, Versioned, created, one_of, present, saved

router = Router(tags=["resources"])

LanguageCode = Literal[tuple(code for code, _label in LANGUAGE_CHOICES)]
CONTACTS = "Only for the manager and the team; absent for other roles."


def sees_contacts(request) -> bool:
    """People's phones and e-mails are for those who work the register: the roles that may change it."""
    return request.access.can("change")


def _as_page_request(owner, filter_class, values, /, **form_kwargs):
    """The list pages read their filters from the query string, through their filter form, and pass over a value
    that does not fit. The API checks the same values with the same form, and answers 422 for one that does not
    fit; then the page's own filtering reads them, as a query string."""
    query = QueryDict(mutable=True)
    for name, value in values.items():
        query[name] = str(value)
    form = filter_class(query, **form_kwargs)
    if not form.is_valid():
        raise Problem(422, "invalid", _("Some values are missing or not valid."), errors=form_errors(form))
    return SimpleNamespace(GET=query, authority=owner)


def _flag(value):
    return None if value is None else ("1" if value else "0")


# ---- skills ------------------------------------------------------------------------------------------------


class SkillOut(Schema):
    id: int
    key: str
    name: str
    shared: bool = Field(description="In the network's shared vocabulary; false: this authority's own, typed in "
                                     "a person's form.")
    categories: list[one_of(NeedCategory)] = Field(description="The needs it can answer, for the matching.")

    @staticmethod
    def resolve_name(obj):
        return obj.tr("name")

    @staticmethod
    def resolve_shared(obj):
        return obj.is_shared


class SkillFilters(Schema):
    shared: bool | None = Field(None, description="true: the shared vocabulary; false: this authority's own.")


@router.get("/{slug}/skills/", response=page_of(SkillOut), url_name="skills", openapi_extra=documented(READ_ERRORS))
def list_skills(request, slug: str, filters: Query[SkillFilters], page: Query[ListQuery]):
    """The skills this authority's forms offer: the network's shared vocabulary and the authority's own, named in
    the request's language. A person's `skills` are their ids; a new skill comes in through `new_skills`."""
    with authority_scope(request, slug) as authority:
        skills = vocabulary.offered_to(authority)
        if filters.shared is not None:
            skills = skills.filter(authority__isnull=filters.shared)
        return paginate(request, skills, page)


# ---- people ------------------------------------------------------------------------------------------------


class SkillRef(Schema):
    id: int
    key: str
    name: str

    @staticmethod
    def resolve_name(obj):
        return obj.tr("name")


class PersonSeen(Schema):
    """A person as every role that may open the register sees them."""

    id: int
    name: str
    kind: one_of(PersonKind)
    organisation: str
    role: str
    skills: list[SkillRef]
    languages: list[LanguageCode]
    area: str
    availability: one_of(Availability) = Field(description="In the current emergency: unknown when none is open "
                                                           "or nothing was said in it.")
    availability_note: str
    notes: str
    is_active: bool
    source: str
    created_at: datetime
    version: str

    @staticmethod
    def resolve_skills(obj):
        return list(obj.skills.all())

    @staticmethod
    def resolve_availability(obj):
        return obj.now

    @staticmethod
    def resolve_version(obj):
        return person_version(obj)


class PersonWithContacts(PersonSeen):
    phone: str
    email: str


class PersonOut(PersonSeen):
    """The schema of the answers: a viewer's or an overseer's answer has no phone and no e-mail."""

    phone: str | None = Field(None, description=CONTACTS)
    email: str | None = Field(None, description=CONTACTS)


class PersonIn(Schema):
    name: str
    kind: one_of(PersonKind)
    organisation: str = ""
    role: str = ""
    skills: list[int] = Field([], description="Ids of skills from /skills/.")
    new_skills: str = Field("", description="Skills not on the list, separated by commas: each is added to the "
                                            "authority's own skills (or found there, by its name in any language).")
    languages: list[LanguageCode] = []
    area: str = ""
    phone: str = ""
    email: str = ""
    availability: one_of(Availability) | None = Field(None, description="In the current emergency; ignored while "
                                                                        "none is open.")
    availability_note: str = ""
    notes: str = ""


class PersonPatch(Schema):
    name: str | None = None
    kind: one_of(PersonKind) | None = None
    organisation: str | None = None
    role: str | None = None
    skills: list[int] | None = None
    new_skills: str | None = None
    languages: list[LanguageCode] | None = None
    area: str | None = None
    phone: str | None = None
    email: str | None = None
    availability: one_of(Availability) | None = Field(None, description="In the current emergency: 409 while none "
                                                                        "is open, or while the person is archived.")
    availability_note: str | None = None
    notes: str | None = None
    is_active: bool | None = Field(None, description="false archives the person, true restores them.")


class PeopleFilters(Schema):
    q: str | None = Field(None, max_length=100, description="Words in the name, organisation, role or area (and, "
                                                            "for the manager and the team, the phone or e-mail).")
    kind: one_of(PersonKind) | None = None
    skill: str | None = Field(None, max_length=60, description="A skill's key.")
    language: LanguageCode | None = None
    area: str | None = Field(None, max_length=100)
    availability: one_of(Availability) | None = Field(None, description="In the current emergency (while one is "
                                                                        "open).")
    archived: bool = Field(False, description="true: the archived people instead.")


def person_version(person) -> str:
    """The person's version covers their skills too, which the person's form edits: a change of skills is a
    change. The skills are read from what was prefetched (a list of people costs no query per person)."""
    skill_ids = sorted(skill.pk for skill in person.skills.all())
    return hashlib.blake2b(f"{version_of(person)}:{skill_ids}".encode(), digest_size=10).hexdigest()


def _person_json(request, person, emergency):
    if not hasattr(person, "now"):
        person.now = person.availability_in(emergency)
    schema = PersonWithContacts if sees_contacts(request) else PersonSeen
    return schema.from_orm(person).model_dump(mode="json")


def _person_answer(request, status, person, emergency, location=None):
    headers = {"ETag": f'"{person_version(person)}"'}
    if location:
        headers["Location"] = location
    return json_response(status, _person_json(request, person, emergency), headers)


def _people(authority):
    return views_people.with_skills(Person.objects.filter(authority=authority))


def _person_url(slug, pk):
    return reverse("api-v1:person", kwargs={"slug": slug, "person_id": pk})


def _export_columns(request, columns, contacts):
    return columns if sees_contacts(request) else [c for c in columns if c.key not in contacts]


@router.get("/{slug}/people/", response=page_of(PersonOut), url_name="people",
            openapi_extra=documented(READ_ERRORS, CSV_RESPONSE))
def list_people(request, slug: str, filters: Query[PeopleFilters], page: Query[ExportQuery]):
    """The people register with its page's filters; `format=csv` gives its export (HXL row included)."""
    with authority_scope(request, slug) as authority:
        emergency = current_emergency(authority)
        values = filters.dict(exclude_none=True, exclude={"archived"})
        page_request = _as_page_request(authority, PeopleFilter, values, authority=authority,
                                        areas=views_people.person_areas(authority), emergency=emergency)
        text = None
        if not sees_contacts(request):
            # The page's search reads phones and e-mails too: for those who do not see them, it leaves them out.
            text = (page_request.GET.pop("q", None) or [""])[0].strip()
        _form, _values, people = views_people.filtered_people(page_request, emergency, active=not filters.archived)
        if text:
            people = people.filter(Q(name__icontains=text) | Q(organisation__icontains=text)
                                   | Q(role__icontains=text) | Q(area__icontains=text))
        people = views_people.with_skills(people)
        if page.format == "csv":
            columns = _export_columns(request, views_people.export_columns(emergency), {"phone", "email"})
            return export_csv(people, columns, "people")
        listed = paginate(request, people, page, lambda person: _person_json(request, person, emergency))
        return json_response(200, listed)


@router.get("/{slug}/people/{person_id}/", response=PersonOut, url_name="person",
            openapi_extra=documented(READ_ERRORS))
def get_person(request, slug: str, person_id: int):
    with authority_scope(request, slug) as authority:
        person = get_object_or_404(_people(authority), pk=person_id)
        return _person_answer(request, 200, person, current_emergency(authority))


@router.post("/{slug}/people/", response={201: PersonOut}, openapi_extra=documented(WRITE_ERRORS))
def create_person(request, slug: str, payload: PersonIn):
    """A person on the register, through the person's form: skills from the list and new ones typed, languages,
    a phone written one way (050-1234567), availability in the current emergency."""
    with authority_scope(request, slug, "change") as authority:
        def make():
            emergency = current_emergency(authority)
            person = bind(PersonForm, payload.dict(), authority=authority, emergency=emergency).save()
            person = _people(authority).get(pk=person.pk)
            return _person_answer(request, 201, person, emergency, _person_url(slug, person.pk))

        return write(request, make, creates=True)


def _person_for_edit(request, authority, person_id, emergency):
    """The person as stored now, locked, after checking If-Match against their version (skills included)."""
    person = locked(Person, person_id)
    if person is None or person.authority_id != authority.pk:
        raise Http404
    sent = sent_version(request)
    if sent != person_version(person):
        raise Problem(412, "conflict",
                      _("This record was changed since you loaded it, so your change was not applied. The record "
                        "as it is now is in \"current\": apply your change to it and send again."),
                      extra={"current": _person_json(request, person, emergency)},
                      headers={"ETag": f'"{person_version(person)}"'})
    return person


@router.patch("/{slug}/people/{person_id}/", response=PersonOut, openapi_extra=documented(EDIT_ERRORS))
def edit_person(request, slug: str, person_id: int, payload: PersonPatch):
    """Change a person (send their version in If-Match), archive or restore them (`is_active`), or set their
    availability now, as the register's quick change does."""
    with authority_scope(request, slug, "change") as authority:
        def make():
            emergency = current_emergency(authority)
            person = _person_for_edit(request, authority, person_id, emergency)
            changes = payload.dict(exclude_unset=True)
            active = changes.pop("is_active", None)
            if changes.get("availability") is not None:
                if emergency is None:
                    raise Problem(409, "bad-request", _("Availability belongs to an emergency, and there is no open "
                                                        "emergency now."))
                if not (person.is_active if active is None else active):
                    raise Problem(409, "bad-request", _("This person is archived: restore them before changing their "
                                                        "availability."))
            if changes:
                person = bind(PersonForm, changes, instance=person, authority=authority, emergency=emergency).save()
            if active is not None and active != person.is_active:
                person.is_active = active
                person.save(update_fields=["is_active"])
            return _person_answer(request, 200, _people(authority).get(pk=person.pk), emergency)

        return write(request, make)


# ---- facilities --------------------------------------------------------------------------------------------


class FacilityOut(Versioned, ModelSchema):
    class Meta:
        model = Facility
        fields = ["id", "name", "kind", "site", "address", "area", "is_protected", "capacity", "equipment",
                  "key_holder", "key_holder_phone", "availability", "notes", "is_active"]


class FacilityIn(Schema):
    name: str
    kind: one_of(FacilityKind)
    site: int | None = Field(None, description="The id of one of the authority's sites it belongs to.")
    address: str = ""
    area: str = ""
    is_protected: bool = False
    capacity: int | None = None
    equipment: str = ""
    key_holder: str = ""
    key_holder_phone: str = ""
    availability: one_of(Availability) = Availability.UNKNOWN.value
    notes: str = ""


class FacilityPatch(Schema):
    name: str | None = None
    kind: one_of(FacilityKind) | None = None
    site: int | None = None
    address: str | None = None
    area: str | None = None
    is_protected: bool | None = None
    capacity: int | None = None
    equipment: str | None = None
    key_holder: str | None = None
    key_holder_phone: str | None = None
    availability: one_of(Availability) | None = None
    notes: str | None = None
    is_active: bool | None = Field(None, description="false archives the facility, true restores it.")


class FacilityFilters(Schema):
    q: str | None = Field(None, max_length=100, description="Words in the name, address, equipment or key holder.")
    kind: one_of(FacilityKind) | None = None
    area: str | None = Field(None, max_length=100)
    protected: bool | None = Field(None, description="true: protected spaces only; false: not protected.")
    capacity: int | None = Field(None, description="Holding at least this many people.")
    availability: one_of(Availability) | None = None
    archived: bool = Field(False, description="true: the archived facilities instead.")


def _facility_url(slug, pk):
    return reverse("api-v1:facility", kwargs={"slug": slug, "facility_id": pk})


@router.get("/{slug}/facilities/", response=page_of(FacilityOut), url_name="facilities",
            openapi_extra=documented(READ_ERRORS, CSV_RESPONSE))
def list_facilities(request, slug: str, filters: Query[FacilityFilters], page: Query[ExportQuery]):
    """The facilities register with its page's filters; `format=csv` gives its export (HXL row included)."""
    with authority_scope(request, slug) as authority:
        values = filters.dict(exclude_none=True, exclude={"archived", "protected"})
        if filters.protected is not None:
            values["protected"] = _flag(filters.protected)
        page_request = _as_page_request(authority, FacilityFilter, values,
                                        areas=views_facilities.facility_areas(authority))
        _form, _values, facilities = views_facilities.filtered_facilities(page_request, active=not filters.archived)
        if page.format == "csv":
            return export_csv(facilities.select_related("site"), views_facilities.export_columns(), "facilities")
        return paginate(request, facilities, page)


@router.get("/{slug}/facilities/{facility_id}/", response=FacilityOut, url_name="facility",
            openapi_extra=documented(READ_ERRORS))
def get_facility(request, response: HttpResponse, slug: str, facility_id: int):
    with authority_scope(request, slug) as authority:
        facility = get_object_or_404(Facility.objects.filter(authority=authority), pk=facility_id)
        response["ETag"] = etag(facility)
        return facility


@router.post("/{slug}/facilities/", response={201: FacilityOut}, openapi_extra=documented(WRITE_ERRORS))
def create_facility(request, slug: str, payload: FacilityIn):
    with authority_scope(request, slug, "change") as authority:
        def make():
            facility = bind(FacilityForm, payload.dict(), authority=authority).save()
            return created(FacilityOut, facility, _facility_url(slug, facility.pk))

        return write(request, make, creates=True)


@router.patch("/{slug}/facilities/{facility_id}/", response=FacilityOut, openapi_extra=documented(EDIT_ERRORS))
def edit_facility(request, slug: str, facility_id: int, payload: FacilityPatch):
    """Change a facility (send its version in If-Match), or archive or restore it (`is_active`)."""
    with authority_scope(request, slug, "change") as authority:
        def make():
            facility = current_for_edit(request, Facility, facility_id, present(FacilityOut))
            changes = payload.dict(exclude_unset=True)
            active = changes.pop("is_active", None)
            if changes:
                facility = bind(FacilityForm, changes, instance=facility, authority=authority).save()
            if active is not None and active != facility.is_active:
                facility.is_active = active
                facility.save(update_fields=["is_active"])
            return saved(FacilityOut, facility)

        return write(request, make)


# ---- funding -----------------------------------------------------------------------------------------------


class FundingOut(Versioned, ModelSchema):
    categories: list[one_of(NeedCategory)] = Field(description="The need categories it can fund.")
    warnings: list[str] = Field([], description="After a save: what is odd but allowed (more received than "
                                                "approved, say). Saved as written.")

    class Meta:
        model = FundingSource
        fields = ["id", "name", "kind", "contact", "status", "requested", "approved", "received", "deadline",
                  "categories", "restrictions", "emergency", "notes"]

    @staticmethod
    def resolve_warnings(obj):
        return getattr(obj, "warnings", [])


class FundingIn(Schema):
    name: str
    kind: one_of(FundingKind)
    contact: str = ""
    status: one_of(FundingStatus) = FundingStatus.IDENTIFIED.value
    requested: Decimal | None = Field(None, description="Shekels.")
    approved: Decimal | None = Field(None, description="Shekels.")
    received: Decimal | None = Field(None, description="Shekels.")
    deadline: date | None = None
    categories: list[one_of(NeedCategory)] = []
    restrictions: str = ""
    for_emergency: bool = Field(True, description="Found for the current emergency (while one is open): it counts "
                                                  "in its checklist.")
    notes: str = ""


class FundingPatch(Schema):
    name: str | None = None
    kind: one_of(FundingKind) | None = None
    contact: str | None = None
    status: one_of(FundingStatus) | None = None
    requested: Decimal | None = None
    approved: Decimal | None = None
    received: Decimal | None = None
    deadline: date | None = None
    categories: list[one_of(NeedCategory)] | None = None
    restrictions: str | None = None
    for_emergency: bool | None = None
    notes: str | None = None


class FundingFilters(Schema):
    q: str | None = Field(None, max_length=100, description="Words in the name, contact, restrictions or notes.")
    status: one_of(FundingStatus) | None = None
    kind: one_of(FundingKind) | None = None
    category: one_of(NeedCategory) | None = Field(None, description="Sources that can fund needs of this category.")


class _FundingFromApi(FundingForm):
    """The funding form, given amounts as text, as a browser sends them (the form cleans "₪25,000" as text)."""

    def __init__(self, data=None, *args, **kwargs):
        if data is not None:
            data = {name: str(value) if isinstance(value, Decimal) else value for name, value in data.items()}
        super().__init__(data, *args, **kwargs)


def _funding_url(slug, pk):
    return reverse("api-v1:funding_source", kwargs={"slug": slug, "funding_id": pk})


def _funding_saved(form):
    source = form.save()
    # Read back as stored, so that the version answered is the one an edit will be checked against
    # (25000 is stored as 25000.00).
    source.refresh_from_db()
    source.warnings = form.warnings()
    return source


@router.get("/{slug}/funding/", response=page_of(FundingOut), url_name="funding",
            openapi_extra=documented(READ_ERRORS, CSV_RESPONSE))
def list_funding(request, slug: str, filters: Query[FundingFilters], page: Query[ExportQuery]):
    """The funding register with its page's filters; `format=csv` gives its export (HXL row included)."""
    with authority_scope(request, slug) as authority:
        values = filters.dict(exclude_none=True)
        page_request = _as_page_request(authority, FundingFilter, values)
        _form, _values, _sources, shown = views_funding.filtered_funding(page_request)
        if page.format == "csv":
            return export_csv(shown, views_funding.export_columns(), "funding")
        return paginate(request, shown, page)


@router.get("/{slug}/funding/{funding_id}/", response=FundingOut, url_name="funding_source",
            openapi_extra=documented(READ_ERRORS))
def get_funding(request, response: HttpResponse, slug: str, funding_id: int):
    with authority_scope(request, slug) as authority:
        source = get_object_or_404(FundingSource.objects.filter(authority=authority), pk=funding_id)
        response["ETag"] = etag(source)
        return source


@router.post("/{slug}/funding/", response={201: FundingOut}, openapi_extra=documented(WRITE_ERRORS))
def create_funding(request, slug: str, payload: FundingIn):
    with authority_scope(request, slug, "change") as authority:
        def make():
            form = bind(_FundingFromApi, payload.dict(), authority=authority, emergency=current_emergency(authority))
            source = _funding_saved(form)
            return created(FundingOut, source, _funding_url(slug, source.pk))

        return write(request, make, creates=True)


@router.patch("/{slug}/funding/{funding_id}/", response=FundingOut, openapi_extra=documented(EDIT_ERRORS))
def edit_funding(request, slug: str, funding_id: int, payload: FundingPatch):
    with authority_scope(request, slug, "change") as authority:
        def make():
            source = current_for_edit(request, FundingSource, funding_id, present(FundingOut))
            changes = payload.dict(exclude_unset=True)
            if changes:
                source = _funding_saved(bind(_FundingFromApi, changes, instance=source, authority=authority,
                                             emergency=current_emergency(authority)))
            return saved(FundingOut, source)

        return write(request, make)


# ---- channels ----------------------------------------------------------------------------------------------


class ChannelSeen(Versioned, ModelSchema):
    active: bool = Field(description="Active in the current emergency.")
    email_recipient_count: int

    class Meta:
        model = Channel
        fields = ["id", "name", "kind", "audience", "reach", "owner", "address", "activated_at", "notes"]

    @staticmethod
    def resolve_active(obj):
        return obj.is_active_in(obj.emergency_now)

    @staticmethod
    def resolve_email_recipient_count(obj):
        return len(obj.email_recipients.splitlines()) if obj.email_recipients else 0


class ChannelWithRecipients(ChannelSeen):
    email_recipients: list[str]

    @staticmethod
    def resolve_email_recipients(obj):
        return obj.email_recipients.splitlines() if obj.email_recipients else []


class ChannelOut(ChannelSeen):
    """The schema of the answers: a viewer's or an overseer's answer counts the addresses without listing them."""

    email_recipients: list[str] | None = Field(None, description="A mailing list's addresses. " + CONTACTS)


class ChannelIn(Schema):
    name: str
    kind: one_of(ChannelKind)
    active: bool = Field(True, description="Active in the current emergency (while one is open).")
    audience: str = ""
    reach: int | None = None
    owner: str = ""
    address: str = Field("", description="An invitation link, a page's address, a frequency…")
    email_recipients: list[str] = Field([], description="For a mailing list: the addresses updates are sent to.")
    notes: str = ""


class ChannelPatch(Schema):
    name: str | None = None
    kind: one_of(ChannelKind) | None = None
    active: bool | None = Field(None, description="Active in the current emergency: 409 while none is open.")
    audience: str | None = None
    reach: int | None = None
    owner: str | None = None
    address: str | None = None
    email_recipients: list[str] | None = None
    notes: str | None = None


class ChannelFilters(Schema):
    q: str | None = Field(None, max_length=100, description="Words in the name, audience or owner.")
    kind: one_of(ChannelKind) | None = None
    active: bool | None = Field(None, description="Active in the current emergency, or not (while one is open).")


def _channel_url(slug, pk):
    return reverse("api-v1:channel", kwargs={"slug": slug, "channel_id": pk})


def _channel_json(request, channel, emergency):
    channel.emergency_now = emergency
    schema = ChannelWithRecipients if sees_contacts(request) else ChannelSeen
    return schema.from_orm(channel).model_dump(mode="json")


def _channel_answer(request, status, channel, emergency, location=None):
    headers = {"ETag": etag(channel)}
    if location:
        headers["Location"] = location
    return json_response(status, _channel_json(request, channel, emergency), headers)


def _channel_form_data(changes):
    if changes.get("email_recipients") is not None:
        changes["email_recipients"] = "\n".join(changes["email_recipients"])
    return changes


@router.get("/{slug}/channels/", response=page_of(ChannelOut), url_name="channels",
            openapi_extra=documented(READ_ERRORS, CSV_RESPONSE))
def list_channels(request, slug: str, filters: Query[ChannelFilters], page: Query[ExportQuery]):
    """The channels register with its page's filters; `format=csv` gives its export (HXL row included)."""
    with authority_scope(request, slug) as authority:
        emergency = current_emergency(authority)
        values = filters.dict(exclude_none=True, exclude={"active"})
        if filters.active is not None:
            values["active"] = _flag(filters.active)
        page_request = _as_page_request(authority, ChannelFilter, values, emergency=emergency)
        _form, _values, channels = views_channels.filtered_channels(page_request, emergency)
        if page.format == "csv":
            columns = _export_columns(request, views_channels.export_columns(emergency), {"email_recipients"})
            return export_csv(channels, columns, "channels")
        return json_response(200, paginate(request, channels, page,
                                           lambda channel: _channel_json(request, channel, emergency)))


@router.get("/{slug}/channels/{channel_id}/", response=ChannelOut, url_name="channel",
            openapi_extra=documented(READ_ERRORS))
def get_channel(request, slug: str, channel_id: int):
    with authority_scope(request, slug) as authority:
        channel = get_object_or_404(Channel.objects.filter(authority=authority), pk=channel_id)
        return _channel_answer(request, 200, channel, current_emergency(authority))


@router.post("/{slug}/channels/", response={201: ChannelOut}, openapi_extra=documented(WRITE_ERRORS))
def create_channel(request, slug: str, payload: ChannelIn):
    with authority_scope(request, slug, "change") as authority:
        def make():
            emergency = current_emergency(authority)
            channel = bind(ChannelForm, _channel_form_data(payload.dict()), authority=authority,
                           emergency=emergency).save()
            return _channel_answer(request, 201, channel, emergency, _channel_url(slug, channel.pk))

        return write(request, make, creates=True)


@router.patch("/{slug}/channels/{channel_id}/", response=ChannelOut, openapi_extra=documented(EDIT_ERRORS))
def edit_channel(request, slug: str, channel_id: int, payload: ChannelPatch):
    """Change a channel (send its version in If-Match), or mark it active in this emergency or not (`active`)."""
    with authority_scope(request, slug, "change") as authority:
        def make():
            emergency = current_emergency(authority)
            channel = current_for_edit(request, Channel, channel_id,
                                       lambda current: _channel_json(request, current, emergency))
            changes = _channel_form_data(payload.dict(exclude_unset=True))
            if changes.get("active") is not None and emergency is None:
                raise Problem(409, "bad-request", _("A channel is active in an emergency, and there is no open "
                                                    "emergency now."))
            if changes:
                channel = bind(ChannelForm, changes, instance=channel, authority=authority, emergency=emergency).save()
            return _channel_answer(request, 200, channel, emergency)

        return write(request, make)
