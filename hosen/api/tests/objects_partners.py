"""The partners' operations in the API's permission matrix (see objects.py)."""

import uuid

from hosen.partners.models import Contact, ContactLog, Partner


def _partner(authority, emergency, made):
    return Partner.objects.create(authority=authority, name=f"Technion {uuid.uuid4().hex[:8]}", kind="academia",
                                  is_key=True).pk


def _contact(authority, emergency, made):
    return Contact.objects.create(authority=authority, partner_id=made["partner_id"], name="Rina", role="dean").pk


def _log(authority, emergency, made):
    return ContactLog.objects.create(authority=authority, partner_id=made["partner_id"], summary="called").pk


PATH_OBJECTS = {"partner_id": _partner, "contact_id": _contact, "log_id": _log}

MODELS = {"partner_id": Partner, "contact_id": Contact, "log_id": ContactLog}

BODIES = {
    "hosen_api_resources_partners_create_partner": lambda: {"name": f"Intel {uuid.uuid4().hex[:8]}",
                                                            "kind": "industry"},
    "hosen_api_resources_partners_edit_partner": lambda: {"notes": "funds the robotics league"},
    "hosen_api_resources_partners_add_contact": lambda: {"name": "Avi", "phone": "050-0000000"},
    "hosen_api_resources_partners_log_contact": lambda: {"channel": "meeting", "summary": "agreed on laptops"},
}
