"""The stage-3 registers' pages in the permission matrix (see tests/test_permissions.py), and the small
factories their tests share."""

from datetime import timedelta

from django.utils import timezone
from django_scopes import scopes_disabled

# name -> (GET permission, POST permission or None)
AUTHORITY_PAGES = {
    "resources:people": ("view", None),
    "resources:person_new": ("change", "change"),
    "resources:person": ("view", None),
    "resources:person_edit": ("change", "change"),
    # GET gives the person's card; POST changes the availability in place
    "resources:person_availability": ("view", "change"),
    "resources:people_import": ("change", "change"),
    "resources:people_template": ("view", None),
    "resources:people_export": ("view", None),
    "resources:channels": ("view", None),
    "resources:channel_new": ("change", "change"),
    "resources:channel_edit": ("change", "change"),
    # GET gives the channel's card; POST switches it on or off in this emergency
    "resources:channel_active": ("view", "change"),
    "resources:channels_export": ("view", None),
    "resources:facilities": ("view", None),
    "resources:facility_new": ("change", "change"),
    "resources:facility": ("view", None),
    "resources:facility_edit": ("change", "change"),
    "resources:facilities_import": ("change", "change"),
    "resources:facilities_template": ("view", None),
    "resources:facilities_export": ("view", None),
    "resources:funding": ("view", None),
    "resources:funding_new": ("change", "change"),
    "resources:funding_edit": ("change", "change"),
    "resources:funding_export": ("view", None),
    # everyone who reads the authority sees how many signed up; only the manager makes and shares links
    "resources:volunteer_links": ("view", "manage"),
    "resources:volunteer_link_revoke": ("manage", "manage"),
}

# The sign-up form is public: whoever holds a valid link may open it, signed in or not.
OTHER_PAGES = {
    "resources_public:volunteer": {"*": 200},
}


def make_person(authority, name, kind="staff", skills=(), **fields):
    from hosen.resources.models import Person

    with scopes_disabled():
        person = Person.objects.create(authority=authority, name=name, kind=kind, **fields)
        if skills:
            person.skills.set(skills)
    return person


def make_channel(authority, name, kind="whatsapp", **fields):
    from hosen.resources.models import Channel

    with scopes_disabled():
        return Channel.objects.create(authority=authority, name=name, kind=kind, **fields)


def make_facility(authority, name, kind="hall", **fields):
    from hosen.resources.models import Facility

    with scopes_disabled():
        return Facility.objects.create(authority=authority, name=name, kind=kind, **fields)


def make_funding(authority, name, kind="philanthropic", **fields):
    from hosen.resources.models import FundingSource

    with scopes_disabled():
        return FundingSource.objects.create(authority=authority, name=name, kind=kind, **fields)


def make_volunteer_link(authority, days=30, **fields):
    from hosen.resources.models import VolunteerLink

    with scopes_disabled():
        return VolunteerLink.objects.create(authority=authority, expires_at=timezone.now() + timedelta(days=days),
                                            **fields)


def url_kwargs(cast):
    person = make_person(cast.authority, "Matrix person")
    channel = make_channel(cast.authority, "Matrix channel")
    facility = make_facility(cast.authority, "Matrix facility")
    funding = make_funding(cast.authority, "Matrix funding")
    link = make_volunteer_link(cast.authority)
    return {"person_pk": person.pk, "channel_pk": channel.pk, "facility_pk": facility.pk, "funding_pk": funding.pk,
            "volunteer_link_pk": link.pk, "volunteer_token": link.token,
            # xlsx: every export of every register offers it (the donors' list has no CSV)
            "fmt": "xlsx"}
