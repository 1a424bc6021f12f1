"""Quick-report links and the team pulse in the permission matrix (see tests/test_permissions.py), and the
small factories their tests share."""

from datetime import timedelta

from django.utils import timezone
from django_scopes import scopes_disabled

AUTHORITY_PAGES = {
    "field:links": ("view", "manage"),
    "field:link_revoke": ("manage", "manage"),
    "field:pulses": ("view", "manage"),
    "field:pulse": ("view", "manage"),
}

# The token forms are public: whoever holds a valid token may open them, signed in or not.
OTHER_PAGES = {
    "field_public:report": {"*": 200},
    "field_public:pulse": {"*": 200},
}


def make_site(authority, name, kind="school", area="", **fields):
    from hosen.field.models import Site

    with scopes_disabled():
        return Site.objects.create(authority=authority, name=name, kind=kind, area=area, **fields)


def make_link(authority, emergency, *, site=None, group_kind="", group_area="", hours=24 * 7, label=""):
    from hosen.field.models import ReportLink

    with scopes_disabled():
        return ReportLink.objects.create(
            authority=authority, emergency=emergency, site=site, group_kind=group_kind, group_area=group_area,
            label=label, expires_at=timezone.now() + timedelta(hours=hours),
        )


def make_pulse(authority, emergency, people=(("Dana Levi", "050-1234567"),), hours=48, title="Who can work?"):
    from hosen.field.models import Pulse, PulseRecipient

    with scopes_disabled():
        pulse = Pulse.objects.create(authority=authority, emergency=emergency, title=title,
                                     expires_at=timezone.now() + timedelta(hours=hours))
        recipients = [PulseRecipient.objects.create(authority=authority, pulse=pulse, name=name, contact=contact)
                      for name, contact in people]
    return pulse, recipients


def url_kwargs(cast):
    site = make_site(cast.authority, "Matrix links: site", area="Matrix area")
    link = make_link(cast.authority, cast.emergency, site=site)
    pulse, (recipient,) = make_pulse(cast.authority, cast.emergency)
    return {"link_pk": link.pk, "link_token": link.token, "pulse_pk": pulse.pk, "pulse_token": recipient.token}
