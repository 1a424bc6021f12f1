"""The token forms for people without an account: a quick report on a site, and an answer to a team pulse.

The token is looked up once with scopes disabled (it carries no authority in the URL); everything after
runs inside the token's authority scope. A bad token gets a calm page: 404 for a token that does not exist
(it tells nothing), 410 for a link that was revoked, expired, or whose emergency or pulse is closed (it
names the authority and the person who shared the link, to ask for a new one). A form sent to such a link
stores nothing and gives back everything that was typed, to copy (hosen/typed_back.py).
"""

import uuid

from django.conf import settings
from django.db import IntegrityError, transaction
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_scopes import scope, scopes_disabled

from hosen.public import token_form_view
from hosen.typed_back import gone_context

from . import services
from .forms_links import PulseAnswerForm, QuickReportForm
from .models import Audience, PulseRecipient, ReportLink, SiteStatus

# Rate limited, never cached: see hosen/public.py.
public_token_view = token_form_view("field_public")


def _no_longer_valid(request, status, *, fields, keep, authority=None, shared_by=None):
    context = gone_context(request, fields=fields, keep=keep, authority=authority if status == 410 else None,
                           shared_by=shared_by if status == 410 else None)
    return render(request, "field/public_invalid.html", {**context, "gone": status == 410}, status=status)


def _report_gone(request, link_token, status, link=None):
    return _no_longer_valid(request, status, fields=QuickReportForm.base_fields, keep=f"report-{link_token}",
                            authority=link and link.authority, shared_by=link and link.created_by)


def _sent_key(request):
    try:
        return uuid.UUID(request.GET.get("sent", ""))
    except ValueError:
        return None


def _fresh_submission(form):
    """A form whose key was lost or mangled gets a new one, so that sending it again can succeed."""
    if "submission" in form.errors:
        form.data = form.data.copy()
        form.data["submission"] = str(uuid.uuid4())


# ---- the quick report ----------------------------------------------------------------------------


@public_token_view
def report(request, link_token):
    with scopes_disabled():
        link = (ReportLink.objects.select_related("authority", "emergency", "site", "created_by")
                .filter(token=link_token).first())
    if link is None:
        return _report_gone(request, link_token, 404)
    with scope(authority=link.authority):
        if not link.is_usable() or (link.site_id and not link.site.is_active):
            return _report_gone(request, link_token, 410, link)
        if request.method == "GET" and "sent" in request.GET:
            return _report_thanks(request, link)
        return _report_form(request, link)


def _report_form(request, link):
    form = QuickReportForm(request.POST or None, link=link, initial={"submission": uuid.uuid4()})
    if not link.site_id and not form.fields["site"].queryset.exists():
        return _report_gone(request, link.token, 410, link)  # a group that has no active site left
    if request.method == "POST":
        if form.is_valid():
            save_quick_report(link, form.cleaned_data)
            return redirect(f"{request.path}?sent={form.cleaned_data['submission']}")
        _fresh_submission(form)
    return render(request, "field/public_report.html", {
        "form": form, "link": link, "authority": link.authority, "keep": f"report-{link.token}",
    }, status=422 if form.errors else 200)


def save_quick_report(link, data):
    """The status report and one need per ticked category, all or nothing. A second sending of the same
    form (same `submission`) finds the first report and adds nothing."""
    site = data.get("site") or link.site
    site.authority = link.authority  # the same authority, already loaded: spares record_status a query
    submission = data["submission"]
    with transaction.atomic():
        report, created = services.record_status(
            site, link.emergency, status=data["status"], present=data["present"], evacuated=data["evacuated"],
            hosted=data["hosted"], protected_space_available=data["protected_space"], note=data["note"].strip(),
            reporter_name=data["reporter_name"].strip(), link=link, submission=submission,
        )
        if not created:
            return report, False
        # The register is read by the authority's staff: its source reads in the authority's language. The
        # reporter's name is short enough (QuickReportForm) for the whole of it to fit; the site is the need's.
        with translation.override(settings.LANGUAGE_CODE):
            name = data["reporter_name"].strip()
            source = _("quick report: %(who)s") % {"who": name} if name else _("quick report")
        for category in data["need_categories"]:
            try:
                with transaction.atomic():
                    services.add_need(
                        link.authority, link.emergency, audience=Audience.SITE, category=category,
                        description=data["need_description"], urgency=data["urgency"],
                        is_emerging=data["is_emerging"], source=source, site=site, via_link=link,
                        submission=submission,
                    )
            except IntegrityError:
                pass  # this form's need in this category is already stored
    return report, True


def _report_thanks(request, link):
    key = _sent_key(request)
    report = key and SiteStatus.objects.filter(via_link=link, submission=key).select_related("site").first()
    if not report:
        return redirect(request.path)
    return render(request, "field/public_report_thanks.html", {
        "link": link, "report": report, "authority": link.authority, "keep": f"report-{link.token}",
    })


# ---- the team pulse ------------------------------------------------------------------------------


def _answer_reason(submission):
    return f"pulse answer {submission}"


@public_token_view
def pulse(request, pulse_token):
    with scopes_disabled():
        recipient = (PulseRecipient.objects.select_related("authority", "pulse__emergency", "pulse__created_by")
                     .filter(token=pulse_token).first())
    if recipient is None:
        return _no_longer_valid(request, 404, fields=PulseAnswerForm.base_fields, keep=f"pulse-{pulse_token}")
    with scope(authority=recipient.authority):
        if not recipient.pulse.is_open():
            return _no_longer_valid(request, 410, fields=PulseAnswerForm.base_fields, keep=f"pulse-{pulse_token}",
                                    authority=recipient.authority, shared_by=recipient.pulse.created_by)
        context = {"recipient": recipient, "pulse": recipient.pulse, "authority": recipient.authority,
                   "keep": f"pulse-{recipient.token}"}
        if request.method == "GET" and "sent" in request.GET:
            if not recipient.answered_at:
                return redirect(request.path)
            return render(request, "field/public_pulse_thanks.html", context)
        initial = {"submission": uuid.uuid4(), "availability": recipient.availability, "where": recipient.where,
                   "how": recipient.how, "needs": recipient.needs}
        form = PulseAnswerForm(request.POST or None, initial=initial)
        if request.method == "POST":
            if form.is_valid():
                save_pulse_answer(recipient, form.cleaned_data)
                return redirect(f"{request.path}?sent=1")
            _fresh_submission(form)
        return render(request, "field/public_pulse.html", {**context, "form": form},
                      status=422 if form.errors else 200)


def save_pulse_answer(recipient, data) -> bool:
    """Store the answer on the recipient; a later answer replaces it and the history keeps both.

    The form's key is written as the history record's change reason: a second sending of the same form
    finds it there and changes nothing. Unlike a key kept in the session, it holds whatever device or
    cookie the second sending comes from, and it needs no new column."""
    reason = _answer_reason(data["submission"])
    with transaction.atomic():
        current = PulseRecipient.objects.select_for_update().get(pk=recipient.pk)
        if current.history.filter(history_change_reason=reason).exists():
            return False
        for field in ("availability", "where", "how", "needs"):
            setattr(current, field, data[field].strip())
        current.answered_at = timezone.now()
        current._change_reason = reason
        current.save(update_fields=["availability", "where", "how", "needs", "answered_at"])
    return True
