"""Quick-report links, the manager's side: create a link for a site or a group of sites, share it, revoke it."""

from urllib.parse import quote

from django.contrib import messages
from django.db.models import Count, Max
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from hosen.tenancy.middleware import authority_view
from hosen.workmodel.services import current_emergency

from .forms_links import LinkForm
from .models import ReportLink, SiteStatus


def whatsapp_url(text, phone=""):
    """A wa.me link that opens WhatsApp with the text ready to send (to one number, when it is known)."""
    return f"https://wa.me/{phone}?text={quote(text, safe='')}"


def whatsapp_number(contact):
    """The international digits wa.me wants, from a phone as people write it (Israeli 05x… becomes 9725x…)."""
    digits = "".join(c for c in contact if c.isdigit())
    if contact.strip().startswith("+"):
        return digits
    if digits.startswith("00"):
        return digits[2:]
    if digits.startswith("0"):
        return "972" + digits[1:]
    return digits


def target_text(link):
    if link.site_id:
        return link.site.name
    parts = [link.get_group_kind_display() if link.group_kind else "", link.group_area]
    parts = [p for p in parts if p]
    return " · ".join(str(p) for p in parts) if parts else _("All sites")


def link_state(link, now):
    if link.revoked_at:
        return "revoked"
    if link.expires_at <= now:
        return "expired"
    return "active"


@authority_view(read="view", write="manage")
def links(request):
    emergency = current_emergency(request.authority)
    if emergency is None:
        return render(request, "field/link_list.html", {"emergency": None})
    form = LinkForm(request.POST or None, authority=request.authority)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        link = ReportLink.objects.create(
            authority=request.authority, emergency=emergency, label=data["label"], site=data["site"],
            group_kind="" if data["site"] else data["group_kind"],
            group_area="" if data["site"] else data["group_area"],
            expires_at=timezone.now() + data["valid_for_delta"], created_by=request.user,
        )
        messages.success(request, _("The link is ready: copy it or share it below."))
        return redirect(reverse("field:links", kwargs={"authority_slug": request.authority.slug}) + f"#link-{link.pk}")

    now = timezone.now()
    link_list = list(ReportLink.objects.filter(authority=request.authority, emergency=emergency)
                     .select_related("site", "created_by"))
    usage = {
        row["via_link"]: row
        for row in SiteStatus.objects.filter(via_link__in=[link.pk for link in link_list])
        .values("via_link").annotate(reports=Count("pk"), last=Max("reported_at"))
    }
    # A link is a key to write into the registers: only the manager, who hands them out, sees them.
    show_urls = request.access.can("manage")
    rows = []
    for link in link_list:
        row = {"link": link, "target": target_text(link), "state": link_state(link, now),
               "reports": usage.get(link.pk, {}).get("reports", 0), "last": usage.get(link.pk, {}).get("last")}
        if show_urls and row["state"] == "active":
            url = request.build_absolute_uri(reverse("field_public:report", kwargs={"link_token": link.token}))
            text = _("Quick report for %(target)s — please tell us how the site is doing:") % {
                "target": row["target"]}
            row["url"] = url
            row["whatsapp"] = whatsapp_url(f"{text}\n{url}")
        rows.append(row)
    return render(request, "field/link_list.html", {
        "emergency": emergency, "form": form, "rows": rows, "show_urls": show_urls,
    }, status=422 if form.errors else 200)


@authority_view(read="manage", write="manage")
def link_revoke(request, link_pk):
    link = get_object_or_404(ReportLink.objects.filter(authority=request.authority).select_related("site"),
                             pk=link_pk)
    if request.method == "POST":
        if link.revoked_at is None:
            link.revoked_at = timezone.now()
            link.save(update_fields=["revoked_at"])
            messages.success(request, _("The link is revoked: nobody can report through it any more."))
        return redirect("field:links", authority_slug=request.authority.slug)
    return render(request, "field/link_revoke.html", {"link": link, "target": target_text(link)})
