from django.contrib import admin
from django.http import HttpResponse, HttpResponsePermanentRedirect
from django.templatetags.static import static
from django.urls import include, path

from hosen.accounts import urls as accounts_urls
from hosen.accounts import views as accounts_views
from hosen.api.v1 import api as api_v1
from hosen.tenancy import urls as tenancy_urls


def healthz(request):
    return HttpResponse("ok", content_type="text/plain")


def favicon(request):
    # Resolved per request: the hashed static name exists only after collectstatic.
    return HttpResponsePermanentRedirect(static("hosen/icon.svg"))


# Every authority page sits under /a/<slug>/; AuthorityMiddleware resolves the slug.
authority_patterns = [
    path("", include("hosen.workmodel.urls")),
    path("", include((accounts_urls.authority_urlpatterns, "team"))),
    path("", include((tenancy_urls.authority_urlpatterns, "audit"))),
    path("", include("hosen.field.urls")),
    path("", include("hosen.resources.urls")),
    path("", include("hosen.initiatives.urls")),
    path("", include("hosen.plan.urls")),
    path("", include("hosen.situation.urls")),
    path("", include("hosen.partners.urls")),
]

urlpatterns = [
    path("", accounts_views.home, name="home"),
    path("a/<slug:authority_slug>/", include(authority_patterns)),
    path("", include("hosen.tenancy.urls")),
    path("", include("hosen.accounts.urls")),
    path("", include("hosen.field.urls_public")),  # token forms for people without an account
    path("", include("hosen.resources.urls_public")),
    path("api/v1/", api_v1.urls),
    path("", include("hosen.api.urls")),  # the access tokens pages
    path("language/", accounts_views.set_language, name="set_language"),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
    # Browsers ask for /favicon.ico on pages without an icon link (error pages, downloads).
    path("favicon.ico", favicon, name="favicon"),
]
