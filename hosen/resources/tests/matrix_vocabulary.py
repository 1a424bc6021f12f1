"""The network admin's page of the skills authorities added (hosen/resources/views_vocabulary.py)."""

OTHER_PAGES = {
    "tenancy:network_skills": {"anonymous": 302, "network_admin": 200, "*": 403},
}
