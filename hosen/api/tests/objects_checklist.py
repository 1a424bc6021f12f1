"""The permission matrix's entries for emergencies' writes, checklist items, rounds and answers
(hosen/api/resources/emergencies.py and checklist.py); see objects.py for what each name means."""

from hosen.integrity.versions import version_of
from hosen.workmodel.models import Answer, ChecklistItem, Emergency, Phase, Round

# The item the matrix answers: the first one a team answers (item 1 is the manager's private reflection).
ITEM = 2


def _round_number(authority, emergency, made):
    return Round._base_manager.filter(emergency_id=made["emergency_id"]).order_by("-number").first().number


def _answer(made):
    return Answer._base_manager.filter(round__emergency_id=made["emergency_id"], round__number=made["round_number"],
                                       item__number=made["item_number"]).first()


def _item_number(authority, emergency, made):
    """The item answered in the round the path names: an answer to read, and to change with its version."""
    if _answer(made | {"item_number": ITEM}) is None:
        this_round = Round._base_manager.get(emergency_id=made["emergency_id"], number=made["round_number"])
        Answer._base_manager.create(authority=authority, round=this_round, item=ChecklistItem.objects.get(number=ITEM),
                                    status="partly")
    return ITEM


def _close_alphas_emergency():
    """Opening an emergency needs the authority to have none open, as the page does: the matrix's authority
    ("alpha") has one, so it is closed first."""
    Emergency._base_manager.filter(authority__slug="alpha").exclude(phase=Phase.CLOSED).update(phase=Phase.CLOSED)
    return {"name": "Storm", "kind": "flood", "started_on": "2026-11-01", "severity": 2}


PATH_OBJECTS = {
    "round_number": _round_number,
    "item_number": _item_number,
}

# An answer's version, "new" while the item has none in the round.
IF_MATCH = {"hosen_api_resources_checklist_answer_item": lambda made: version_of(_answer(made))}

BODIES = {
    "hosen_api_resources_emergencies_open_emergency": _close_alphas_emergency,
    "hosen_api_resources_emergencies_change_phase": lambda: {"phase": "recovery"},
    "hosen_api_resources_emergencies_close_emergency": lambda: {"lessons": "Call the principals every morning."},
    "hosen_api_resources_checklist_start_round": lambda: {"label": "week 2"},
    "hosen_api_resources_checklist_answer_item": lambda: {"status": "done", "note": "the team is organised"},
}

PERMISSION = {
    "hosen_api_resources_emergencies_open_emergency": "manage",
    "hosen_api_resources_emergencies_change_phase": "manage",
    "hosen_api_resources_emergencies_close_emergency": "manage",
    "hosen_api_resources_checklist_start_round": "manage",
}
