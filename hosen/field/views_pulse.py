"""The team availability pulse, the manager's side: send it, see who answered and who did not, close it."""

import logging
import smtplib
from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from simple_history.utils import bulk_create_with_history

from hosen.tenancy.middleware import authority_view
from hosen.workmodel.services import current_emergency

from .forms_links import PulseForm
from .models import Availability, Pulse, PulseRecipient
from .views_links import whatsapp_number, whatsapp_url

logger = logging.getLogger(__name__)


def personal_url(request, recipient):
    return request.build_absolute_uri(reverse("field_public:pulse", kwargs={"pulse_token": recipient.token}))


@transaction.atomic
def create_pulse(authority, emergency, user, data):
    pulse = Pulse.objects.create(
        authority=authority, emergency=emergency, title=data["title"], message=data["message"],
        expires_at=timezone.now() + timedelta(hours=data["valid_hours"]), created_by=user,
    )
    people, seen = [], set()
    for member in data["members"]:
        seen.add(member.email.lower())
        people.append(PulseRecipient(authority=authority, pulse=pulse, name=member.display_name,
                                     contact=member.email, user=member))
    for name, contact in data["others"]:
        key = contact.lower() or name
        if key in seen:
            continue  # the same person twice: one personal link is enough
        seen.add(key)
        people.append(PulseRecipient(authority=authority, pulse=pulse, name=name, contact=contact))
    recipients = bulk_create_with_history(people, PulseRecipient, default_user=user)
    return pulse, recipients


def send_pulse_emails(request, pulse, recipients):
    """E-mail each recipient with an address their personal link, in their language when we know it.
    Returns (sent, failed)."""
    emails = []
    for recipient in recipients:
        if "@" not in recipient.contact:
            continue
        language = (recipient.user.language if recipient.user_id else "") or translation.get_language()
        context = {"recipient": recipient, "pulse": pulse, "link": personal_url(request, recipient),
                   "authority": request.authority}
        with translation.override(language):
            subject = render_to_string("field/pulse_email_subject.txt", context).strip()
            body = render_to_string("field/pulse_email_body.txt", context)
        emails.append(EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [recipient.contact]))
    if not emails:
        return 0, 0
    try:
        # One connection for all of them: one SMTP handshake, not one per person.
        sent = get_connection(fail_silently=False).send_messages(emails) or 0
    except (smtplib.SMTPException, OSError):
        logger.exception("Sending the pulse e-mails failed")
        return 0, len(emails)
    return sent, len(emails) - sent


@authority_view(read="view", write="manage")
def pulses(request):
    emergency = current_emergency(request.authority)
    if emergency is None:
        return render(request, "field/pulse_list.html", {"emergency": None})
    form = PulseForm(request.POST or None, authority=request.authority)
    if request.method == "POST" and form.is_valid():
        pulse, recipients = create_pulse(request.authority, emergency, request.user, form.cleaned_data)
        sent, failed = send_pulse_emails(request, pulse, recipients)
        messages.success(request, ngettext(
            "The pulse is ready. %(sent)d e-mail was sent; share the other links below.",
            "The pulse is ready. %(sent)d e-mails were sent; share the other links below.", sent) % {"sent": sent})
        if failed:
            messages.warning(request, ngettext("%(failed)d e-mail could not be sent: share that link yourself.",
                                               "%(failed)d e-mails could not be sent: share those links yourself.",
                                               failed) % {"failed": failed})
        # A fragment of our own, or the browser keeps the form's "#new" on the new page.
        return redirect(reverse("field:pulse", kwargs={"authority_slug": request.authority.slug,
                                                       "pulse_pk": pulse.pk}) + "#main")
    pulse_list = (
        Pulse.objects.filter(authority=request.authority, emergency=emergency).select_related("created_by")
        .annotate(sent=Count("recipients"),
                  answered=Count("recipients", filter=Q(recipients__answered_at__isnull=False)),
                  can=Count("recipients", filter=Q(recipients__availability=Availability.CAN)),
                  partly=Count("recipients", filter=Q(recipients__availability=Availability.PARTLY)),
                  cannot=Count("recipients", filter=Q(recipients__availability=Availability.CANNOT)))
    )
    now = timezone.now()
    rows = [{"pulse": p, "open": p.closed_at is None and p.expires_at > now, "waiting": p.sent - p.answered}
            for p in pulse_list]
    return render(request, "field/pulse_list.html", {"emergency": emergency, "form": form, "rows": rows},
                  status=422 if form.errors else 200)


@authority_view(read="view", write="manage")
def pulse_detail(request, pulse_pk):
    pulse = get_object_or_404(Pulse.objects.filter(authority=request.authority).select_related("emergency"),
                              pk=pulse_pk)
    if request.method == "POST":
        if request.POST.get("action") == "close" and pulse.closed_at is None:
            pulse.closed_at = timezone.now()
            pulse.save(update_fields=["closed_at"])
            messages.success(request, _("The pulse is closed: its links no longer accept answers."))
        return redirect("field:pulse", authority_slug=request.authority.slug, pulse_pk=pulse.pk)

    recipients = list(pulse.recipients.all())
    answered = sorted((r for r in recipients if r.answered_at), key=lambda r: r.answered_at, reverse=True)
    waiting = [r for r in recipients if not r.answered_at]
    counts = {value: sum(1 for r in answered if r.availability == value) for value in Availability.values}
    show_links = request.access.can("manage") and pulse.is_open()
    if show_links:
        for r in recipients:
            r.url = personal_url(request, r)
            text = _("Hello %(name)s, %(title)s — please answer here:") % {"name": r.name, "title": pulse.title}
            phone = whatsapp_number(r.contact) if r.contact and "@" not in r.contact else ""
            r.whatsapp = whatsapp_url(f"{text}\n{r.url}", phone)
            r.emailed = "@" in r.contact
    return render(request, "field/pulse_detail.html", {
        "pulse": pulse, "answered": answered, "waiting": waiting, "counts": counts, "total": len(recipients),
        "show_links": show_links, "is_open": pulse.is_open(),
        "availability": [(value, label, counts[value]) for value, label in Availability.choices],
    })
