"""Matching, allocations and the donors' list in the permission matrix (see tests/test_permissions.py)."""

from django_scopes import scopes_disabled

# name -> (GET permission, POST permission or None)
AUTHORITY_PAGES = {
    "resources:matching": ("view", None),
    # GET shows the proposals; POST allocates one
    "resources:need_matches": ("view", "change"),
    "resources:person_matches": ("view", "change"),
    # GET asks to confirm; POST releases
    "resources:allocation_release": ("change", "change"),
    # GET shows the proposal; POST allocates the ticked pairs
    "resources:plan": ("view", "change"),
    # GET shows the list; POST creates a donors' link
    "resources:donors": ("view", "manage"),
    "resources:donors_download": ("view", None),
    "resources:donor_links": ("manage", "manage"),
    "resources:donor_link_revoke": ("manage", "manage"),
}

# The shared list is public: whoever holds a working link may open it, signed in or not.
OTHER_PAGES = {
    "resources_public:donors": {"*": 200},
    "resources_public:donors_download": {"*": 200},
}


def url_kwargs(cast):
    from hosen.field.models import Need
    from hosen.resources.models import Allocation, DonorLink, Person

    with scopes_disabled():
        need = Need.objects.create(authority=cast.authority, emergency=cast.emergency, audience="students",
                                   category="emotional", description="Matrix: תמיכה רגשית", urgency=4)
        person = Person.objects.create(authority=cast.authority, name="Matrix person", kind="staff")
        allocation = Allocation.objects.create(authority=cast.authority, need=need, person=person)
        link = DonorLink.objects.create(authority=cast.authority, emergency=cast.emergency, label="Matrix donors")
    return {"need_pk": need.pk, "person_pk": person.pk, "allocation_pk": allocation.pk, "donor_link_pk": link.pk,
            "donor_token": link.token, "fmt": "csv"}
