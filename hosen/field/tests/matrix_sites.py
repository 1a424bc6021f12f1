"""The sites register's pages in the permission matrix (see tests/test_permissions.py)."""

from django_scopes import scopes_disabled

# name -> (GET permission, POST permission or None)
AUTHORITY_PAGES = {
    "field:sites": ("view", None),
    # GET shows the site and its history; POST reports a status
    "field:site": ("view", "change"),
    "field:site_new": ("change", "change"),
    "field:site_edit": ("change", "change"),
    "field:site_import": ("change", "change"),
    "field:site_template": ("view", None),
    "field:site_export": ("view", None),
}


def url_kwargs(cast):
    from hosen.field.models import Site, SiteKind

    with scopes_disabled():
        site = Site.objects.create(authority=cast.authority, name="בית ספר המטריצה", kind=SiteKind.SCHOOL)
    return {"site_pk": site.pk, "fmt": "csv"}
