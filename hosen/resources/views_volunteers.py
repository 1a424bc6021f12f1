"""Volunteer sign-up: the manager's links (create, share, revoke) and the public one-screen form.

The public form is a token form like the quick reports (hosen/field/views_public.py): the token is looked
up once with scopes disabled, everything after runs in its authority's scope; 404 for an unknown token, a
calm 410 for a revoked or expired link (whom to ask for a new one and, when a form was sent to it,
everything that was typed, to copy: nothing is stored); rate limited by IP and by token; it shows nothing
of the authority's data. Each sign-up is a Person (kind volunteer) whose creation is recorded in the history
with the link it came through, so the link page counts sign-ups without a column of its own.
"""

import uuid
from datetime import timedelta

from django.contrib import messages
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_scopes import scope, scopes_disabled

from hosen.field.views_links import whatsapp_url
from hosen.public import token_form_view
from hosen.tenancy.middleware import authority_view
from hosen.typed_back import gone_context
from hosen.workmodel.services import current_emergency

from .forms_registers import SOURCE_SIGNUP, VolunteerForm, VolunteerLinkForm, ordered_languages
from .models import Availability, Person, PersonKind, VolunteerLink
from .views_people import url_for


def link_reason(link):
    """The history's change reason of a sign-up through this link."""
    return f"volunteer link {link.pk}"


def link_state(link, now):
    if link.revoked_at:
        return "revoked"
    if link.expires_at <= now:
        return "expired"
    return "active"


# ---- the manager's side --------------------------------------------------------------------------


@authority_view(read="view", write="manage")
def volunteer_links(request):
    form = VolunteerLinkForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        link = VolunteerLink.objects.create(
            authority=request.authority, label=form.cleaned_data["label"].strip(), created_by=request.user,
            expires_at=timezone.now() + timedelta(days=form.cleaned_data["valid_days"]))
        messages.success(request, _("The sign-up link is ready: copy it or share it below."))
        return redirect(url_for(request, "resources:volunteer_links") + f"#link-{link.pk}")

    now = timezone.now()
    links = list(VolunteerLink.objects.filter(authority=request.authority).select_related("created_by"))
    history = Person.history.model.objects.filter(
        authority=request.authority, history_type="+",
        history_change_reason__in=[link_reason(link) for link in links])
    signups = dict(history.values_list("history_change_reason").annotate(n=Count("history_id")))
    # A link is a key to write into the register: only the manager, who hands them out, sees them.
    show_urls = request.access.can("manage")
    rows = []
    for link in links:
        row = {"link": link, "state": link_state(link, now), "signups": signups.get(link_reason(link), 0)}
        if show_urls and row["state"] == "active":
            url = request.build_absolute_uri(reverse("resources_public:volunteer",
                                                     kwargs={"volunteer_token": link.token}))
            text = _("Volunteer with %(authority)s — sign up here:") % {"authority": request.authority.name}
            row["url"], row["whatsapp"] = url, whatsapp_url(f"{text}\n{url}")
        rows.append(row)
    return render(request, "resources/volunteer_links.html", {
        "form": form, "rows": rows, "show_urls": show_urls, "can_manage": request.access.can("manage"),
    }, status=422 if form.is_bound and form.errors else 200)


@authority_view(read="manage", write="manage")
def volunteer_link_revoke(request, volunteer_link_pk):
    link = get_object_or_404(VolunteerLink.objects.filter(authority=request.authority), pk=volunteer_link_pk)
    if request.method == "POST":
        if link.revoked_at is None:
            link.revoked_at = timezone.now()
            link.save(update_fields=["revoked_at"])
            messages.success(request, _("The link is revoked: nobody can sign up through it any more."))
        return redirect(url_for(request, "resources:volunteer_links"))
    return render(request, "resources/volunteer_link_revoke.html", {"link": link})


# ---- the public form -----------------------------------------------------------------------------


# Rate limited like the quick reports, in counts of its own; never cached; one transaction per sending and
# the submissions ledger, so that the same sign-up sent again stores one volunteer: see hosen/public.py.
public_volunteer_view = token_form_view("volunteer_public")


def _invalid(request, status, volunteer_token, link=None):
    context = gone_context(request, fields=VolunteerForm().fields, keep=f"volunteer-{volunteer_token}",
                           authority=link and link.authority, shared_by=link and link.created_by)
    return render(request, "resources/volunteer_invalid.html", {**context, "gone": status == 410}, status=status)


@public_volunteer_view
def volunteer(request, volunteer_token):
    with scopes_disabled():
        link = VolunteerLink.objects.select_related("authority", "created_by").filter(token=volunteer_token).first()
    if link is None:
        return _invalid(request, 404, volunteer_token)
    with scope(authority=link.authority):
        if not link.is_usable():
            return _invalid(request, 410, volunteer_token, link)
        keep = f"volunteer-{link.token}"
        if request.method == "GET" and "sent" in request.GET:
            return _thanks(request, link, keep)
        emergency = current_emergency(link.authority)
        form = VolunteerForm(request.POST or None, with_availability=emergency is not None,
                             initial={"submission": uuid.uuid4()})
        if request.method == "POST":
            if form.is_valid():
                sign_up(link, emergency, form.cleaned_data)
                return redirect(f"{request.path}?sent={form.cleaned_data['submission']}")
            if "submission" in form.errors:  # a lost or mangled key: a new one, so that sending again works
                form.data = form.data.copy()
                form.data["submission"] = str(uuid.uuid4())
        return render(request, "resources/volunteer_form.html", {
            "form": form, "authority": link.authority, "keep": keep,
        }, status=422 if form.is_bound and form.errors else 200)


def sign_up(link, emergency, data):
    """The volunteer as a Person of the link's authority. The same form sent twice (its `submission` key)
    is stored once: the second sending finds the first."""
    if Person.objects.filter(submission=data["submission"]).exists():
        return None
    notes = "\n".join(part for part in (data.get("other_skills", "").strip(), data.get("note", "").strip()) if part)
    person = Person(
        authority=link.authority, name=data["name"].strip(), kind=PersonKind.VOLUNTEER, phone=data["phone"],
        email=data["email"], area=data["area"].strip(), languages=ordered_languages(data["languages"]),
        notes=notes, source=SOURCE_SIGNUP, submission=data["submission"],
    )
    if emergency is not None and data.get("availability"):
        person.availability, person.availability_emergency = data["availability"], emergency
    else:
        person.availability = Availability.UNKNOWN
    person._change_reason = link_reason(link)
    try:
        with transaction.atomic():
            person.save()
            person.skills.set(data["skills"])
    except IntegrityError:
        return None  # the same form, sent twice at once: the other sending stored it
    return person


def _thanks(request, link, keep):
    try:
        key = uuid.UUID(request.GET.get("sent", ""))
    except ValueError:
        key = None
    person = key and Person.objects.filter(submission=key).first()
    if not person:
        return redirect(request.path)
    return render(request, "resources/volunteer_thanks.html", {
        "person": person, "authority": link.authority, "keep": keep})
