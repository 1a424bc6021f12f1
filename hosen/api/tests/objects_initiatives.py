"""The design-thinking operations in the API's permission matrix (see objects.py)."""

from hosen.initiatives.models import Initiative


def _initiative(authority, emergency, made):
    return Initiative.objects.create(authority=authority, emergency=emergency, title="Science at the shelter").pk


PATH_OBJECTS = {"initiative_id": _initiative}

MODELS = {"initiative_id": Initiative}

BODIES = {
    "hosen_api_resources_initiatives_create_initiative": lambda: {"title": "Tutoring by phone"},
    "hosen_api_resources_initiatives_edit_initiative": lambda: {"owner": "Dana"},
    "hosen_api_resources_initiatives_move": lambda: {"direction": "next", "expected": "ask"},
}
