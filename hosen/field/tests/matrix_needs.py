"""The needs register's pages in the permission matrix (see tests/test_permissions.py)."""

from django_scopes import scopes_disabled

# name -> (GET permission, POST permission or None)
AUTHORITY_PAGES = {
    "field:needs": ("view", None),
    "field:need_new": ("change", "change"),
    "field:need_export": ("view", None),
    "field:need": ("view", None),
    "field:need_edit": ("change", "change"),
    # GET answers with the card; POST changes the status
    "field:need_status": ("view", "change"),
}


def url_kwargs(cast):
    from hosen.field.models import Need, NeedCategory

    with scopes_disabled():
        need = Need.objects.create(authority=cast.authority, emergency=cast.emergency, audience="students",
                                   category=NeedCategory.EQUIPMENT, description="מחשבים ניידים לכיתה ח׳")
    return {"need_pk": need.pk, "fmt": "csv"}
