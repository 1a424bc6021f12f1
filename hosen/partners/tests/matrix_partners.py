"""The axis's pages in the permission matrix (see tests/test_permissions.py)."""

from django_scopes import scopes_disabled

# name -> (GET permission, POST permission or None)
AUTHORITY_PAGES = {
    "partners:list": ("view", None),
    "partners:new": ("change", "change"),
    "partners:reminders": ("view", None),
    "partners:export": ("view", None),
    # POST adds a contact-log entry
    "partners:detail": ("view", "change"),
    "partners:edit": ("change", "change"),
    "partners:contact_new": ("change", "change"),
    # POST adds an achievement
    "partners:achievements": ("view", "change"),
    # GET answers with the achievement; POST changes its status
    "partners:achievement_status": ("view", "change"),
}


def url_kwargs(cast):
    from hosen.partners.models import Achievement, AchievementKind, Partner, PartnerKind

    with scopes_disabled():
        partner = Partner.objects.create(authority=cast.authority, name="מתנ\"ס העיר", kind=PartnerKind.NGO,
                                         is_key=True)
        achievement = Achievement.objects.create(authority=cast.authority, title="אולימפיאדת רובוטיקה",
                                                 kind=AchievementKind.STEM, status="continues")
    return {"partner_pk": partner.pk, "achievement_pk": achievement.pk, "fmt": "csv"}
