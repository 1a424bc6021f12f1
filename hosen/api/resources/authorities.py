"""The authorities a caller may open, and their emergencies."""

from django.shortcuts import get_object_or_404
from ninja import ModelSchema, Query, Router, Schema

from hosen.accounts.access import access_for, authorities_for
from hosen.workmodel.models import Emergency

from ..guard import authority_scope
from ..listing import ListQuery, page_of, paginate
from ..schemas import documented
from ..tokens import token_authority_id
from .common import READ_ERRORS, Versioned

router = Router(tags=["authorities"])


class AuthorityOut(Schema):
    slug: str
    name: str
    cluster: str
    role: str


def _authority_out(request):
    def render(authority):
        access = access_for(request.user, authority)
        return {"slug": authority.slug, "name": authority.name, "cluster": authority.cluster.name,
                "role": access.role if access else ""}

    return render


@router.get("/", response=page_of(AuthorityOut), url_name="authorities", openapi_extra=documented(READ_ERRORS))
def list_authorities(request, page: Query[ListQuery]):
    """Every authority you may open (the token's one authority, when it is bound to one), with your role there."""
    authorities = authorities_for(request.user).select_related("cluster")
    bound = token_authority_id(request)
    if bound is not None:
        authorities = authorities.filter(pk=bound)
    return paginate(request, authorities, page, _authority_out(request))


@router.get("/{slug}/", response=AuthorityOut, url_name="authority", openapi_extra=documented(READ_ERRORS))
def get_authority(request, slug: str):
    with authority_scope(request, slug) as authority:
        return _authority_out(request)(authority)


class EmergencyOut(Versioned, ModelSchema):
    is_open: bool

    class Meta:
        model = Emergency
        fields = ["id", "name", "kind", "started_on", "area", "severity", "phase", "lessons", "closed_at",
                  "created_at"]


@router.get("/{slug}/emergencies/", response=page_of(EmergencyOut), url_name="emergencies",
            openapi_extra=documented(READ_ERRORS))
def list_emergencies(request, slug: str, page: Query[ListQuery]):
    with authority_scope(request, slug) as authority:
        return paginate(request, Emergency.objects.filter(authority=authority), page)


@router.get("/{slug}/emergencies/{emergency_id}/", response=EmergencyOut, url_name="emergency",
            openapi_extra=documented(READ_ERRORS))
def get_emergency(request, slug: str, emergency_id: int):
    with authority_scope(request, slug) as authority:
        return get_object_or_404(Emergency.objects.filter(authority=authority), pk=emergency_id)
