"""Stage-3 pages for people without an account: volunteer sign-up and the shared donors' list."""

from . import urls_public_donors, urls_public_volunteers

app_name = "resources_public"

urlpatterns = urls_public_volunteers.urlpatterns + urls_public_donors.urlpatterns
