"""The permission matrix's entries for people, skills, facilities, funding and channels
(hosen/api/resources/people.py); see objects.py for what each name means."""

import uuid

from hosen.api.resources.people import person_version
from hosen.resources.models import Channel, Facility, FundingSource, Person


def _unique(word):
    return f"{word} {uuid.uuid4().hex[:8]}"


PATH_OBJECTS = {
    "person_id": lambda authority, emergency, made: Person.objects.create(
        authority=authority, name=_unique("Dana"), kind="volunteer", phone="050-1111111").pk,
    "facility_id": lambda authority, emergency, made: Facility.objects.create(
        authority=authority, name=_unique("hall"), kind="hall").pk,
    "funding_id": lambda authority, emergency, made: FundingSource.objects.create(
        authority=authority, name=_unique("fund"), kind="philanthropic").pk,
    "channel_id": lambda authority, emergency, made: Channel.objects.create(
        authority=authority, name=_unique("parents"), kind="whatsapp").pk,
}

# A person's version covers their skills too (hosen/api/resources/people.py).
IF_MATCH = {"hosen_api_resources_people_edit_person": lambda made: person_version(
    Person._base_manager.get(pk=made["person_id"]))}

MODELS = {"person_id": Person, "facility_id": Facility, "funding_id": FundingSource, "channel_id": Channel}

BODIES = {
    "hosen_api_resources_people_create_person": lambda: {"name": _unique("Rina"), "kind": "volunteer",
                                                         "phone": "054-1234567"},
    "hosen_api_resources_people_edit_person": lambda: {"role": "driver", "availability": "partly"},
    "hosen_api_resources_people_create_facility": lambda: {"name": _unique("lab"), "kind": "lab", "capacity": 30},
    "hosen_api_resources_people_edit_facility": lambda: {"is_protected": True, "capacity": 45},
    "hosen_api_resources_people_create_funding": lambda: {"name": _unique("fund"), "kind": "business",
                                                          "requested": "25000"},
    "hosen_api_resources_people_edit_funding": lambda: {"status": "requested", "requested": 12000},
    "hosen_api_resources_people_create_channel": lambda: {"name": _unique("list"), "kind": "mailing_list",
                                                          "email_recipients": ["parents@example.org"]},
    "hosen_api_resources_people_edit_channel": lambda: {"active": True, "reach": 400},
}
