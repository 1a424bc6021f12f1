"""The communication channels register: WhatsApp groups, mailing lists, SMS lists, social pages, local
radio… with their audience and reach, and whether each is active in the current emergency (a toggle in
place). Totals: channels active now and the people they reach."""

from django.contrib import messages
from django.db.models import Count, Q, Sum
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language_bidi, gettext_lazy
from django.utils.translation import gettext as _

from hosen.integrity import versions
from hosen.reports import tabular
from hosen.tenancy.middleware import authority_view
from hosen.workmodel.services import current_emergency

from .forms_registers import ChannelFilter, ChannelForm, channel_href, set_channel_active
from .models import Channel, ChannelKind
from .views_funding import grouped
from .views_people import (
    FORMATS,
    chips,
    display,
    form_status,
    paginate,
    query_without_page,
    safe_next,
    url_for,
    yes_no,
)


def _channels(request):
    return Channel.objects.filter(authority=request.authority)


def channel_totals(request, emergency):
    """Channels, those active in this emergency and the people those reach: one query."""
    if emergency is None:
        return {"channels": _channels(request).count(), "active": 0, "reach": 0, "reach_text": "0"}
    totals = _channels(request).aggregate(channels=Count("pk"), active=Count("pk", filter=Q(active_in=emergency)),
                                          reach=Sum("reach", filter=Q(active_in=emergency)))
    totals["reach"] = totals["reach"] or 0
    totals["reach_text"] = grouped(totals["reach"])
    return totals


def filtered_channels(request, emergency):
    form = ChannelFilter(request.GET, emergency=emergency)
    values = form.values()
    channels = _channels(request)
    if values.get("q"):
        text = values["q"].strip()
        channels = channels.filter(Q(name__icontains=text) | Q(audience__icontains=text) | Q(owner__icontains=text))
    if values.get("kind"):
        channels = channels.filter(kind=values["kind"])
    if values.get("active") == "1":
        channels = channels.filter(active_in=emergency)
    elif values.get("active") == "0":
        channels = channels.exclude(active_in=emergency)
    return form, values, channels


def _decorate(channel, emergency):
    channel.href = channel_href(channel)
    channel.active_now = channel.is_active_in(emergency)
    channel.reach_text = grouped(channel.reach) if channel.reach is not None else ""
    channel.recipients = len(channel.email_recipients.splitlines()) if channel.email_recipients else 0
    return channel


@authority_view(read="view")
def channels(request):
    emergency = current_emergency(request.authority)
    form, values, found = filtered_channels(request, emergency)
    by_kind = dict(found.order_by().values_list("kind").annotate(n=Count("pk")))
    page = paginate(request, found.order_by("name", "pk"), sum(by_kind.values()))
    for channel in page.object_list:
        _decorate(channel, emergency)
    return render(request, "resources/channel_list.html", {
        "emergency": emergency, "form": form, "filtered": bool(values), "page": page, "total": sum(by_kind.values()),
        "by_kind": [row for row in chips(request, "kind", ChannelKind.choices, by_kind, values.get("kind", ""))
                    if row["n"] or row["chosen"]],
        "totals": channel_totals(request, emergency), "query": query_without_page(request),
        "can_change": request.access.can("change"), "next": request.get_full_path(),
    })


@authority_view(read="view", write="change")
def channel_active(request, channel_pk):
    """Switch a channel on or off for this emergency, in place. htmx gets the card and the totals back."""
    channel = get_object_or_404(_channels(request), pk=channel_pk)
    emergency = current_emergency(request.authority)
    back = safe_next(request, url_for(request, "resources:channels"))
    error = current = None
    if request.method == "POST":
        wanted = request.POST.get("active")
        if emergency is None:
            error = _("A channel is active in an emergency, and there is no open emergency now.")
        elif wanted not in ("1", "0"):
            error = _("Choose whether the channel is active.")
        elif ((current := versions.is_stale(request, channel)) is not None
              and current.is_active_in(emergency) != (wanted == "1")):
            # The card was loaded before someone else's change: show it as it is now, and apply nothing.
            channel = get_object_or_404(_channels(request), pk=channel.pk)
            error = versions.changed_meanwhile(current)
        else:
            set_channel_active(channel, emergency, wanted == "1")
        if not request.htmx:
            if error:
                messages.error(request, error)
            elif channel.is_active_in(emergency):
                messages.success(request, _("%(name)s is active in this emergency.") % {"name": channel.name})
            else:
                messages.success(request, _("%(name)s is no longer marked active.") % {"name": channel.name})
            return redirect(back if "#" in back else f"{back}#channel-{channel.pk}")
    return render(request, "resources/_channel_card.html", {
        "channel": _decorate(channel, emergency), "emergency": emergency, "next": back, "error": error,
        "saved": request.method == "POST" and error is None, "can_change": request.access.can("change"),
        "totals": channel_totals(request, emergency), "oob": True,
    }, status=(409 if current is not None else 422) if error else 200)


def _form_page(request, form, channel, emergency):
    return render(request, "resources/channel_form.html", {"form": form, "channel": channel, "emergency": emergency},
                  status=form_status(form))


@authority_view(read="change", write="change")
def channel_new(request):
    emergency = current_emergency(request.authority)
    form = ChannelForm(request.POST or None, authority=request.authority, emergency=emergency)
    if request.method == "POST" and form.is_valid():
        channel = form.save()
        messages.success(request, _("The channel %(name)s is on the register.") % {"name": channel.name})
        return redirect(url_for(request, "resources:channels") + f"#channel-{channel.pk}")
    return _form_page(request, form, None, emergency)


@authority_view(read="change", write="change")
def channel_edit(request, channel_pk):
    channel = get_object_or_404(_channels(request), pk=channel_pk)
    emergency = current_emergency(request.authority)
    form = ChannelForm(request.POST or None, instance=channel, authority=request.authority, emergency=emergency)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Saved."))
        return redirect(url_for(request, "resources:channels") + f"#channel-{channel.pk}")
    return _form_page(request, form, channel, emergency)


def export_columns(emergency):
    field = Channel._meta.get_field
    return [
        tabular.Column("name", field("name").verbose_name, "#contact+channel+name"),
        tabular.Column("kind", field("kind").verbose_name, "#contact+channel+type", display(field("kind"))),
        tabular.Column("audience", field("audience").verbose_name, "#targeted+description"),
        tabular.Column("reach", field("reach").verbose_name, "#reached"),
        tabular.Column("owner", field("owner").verbose_name, "#contact+owner+name"),
        tabular.Column("address", field("address").verbose_name, "#contact+url"),
        tabular.Column("active", gettext_lazy("active in this emergency"), "#status+active",
                       lambda c: yes_no(c.is_active_in(emergency))),
        tabular.Column("activated_at", gettext_lazy("active since"), "#date+activated",
                       lambda c: c.activated_at if c.is_active_in(emergency) else None),
        tabular.Column("email_recipients", field("email_recipients").verbose_name, "#contact+email",
                       lambda c: ", ".join(c.email_recipients.splitlines())),
        tabular.Column("notes", field("notes").verbose_name, "#description+notes"),
    ]


@authority_view(read="view")
def channels_export(request, fmt):
    if fmt not in FORMATS:
        raise Http404("No such format")
    emergency = current_emergency(request.authority)
    _form, _values, found = filtered_channels(request, emergency)
    return tabular.download(found.order_by("name", "pk").iterator(chunk_size=2000), export_columns(emergency),
                            "channels", fmt, rtl=get_language_bidi())
