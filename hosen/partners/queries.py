"""Reading the axis registers: partners with their last contact, and who is due a call."""

from django.db.models import Max

from .models import Partner, needs_contact


def with_last_contact(partners):
    """Each partner's newest contact-log time as `last_contact_at`, in the same query."""
    return partners.annotate(last_contact_at=Max("contact_logs__happened_at"))


def mark(partners, now):
    """Set `due` (a reminder is on) and `days_since` (whole days since the last contact, or None) on each."""
    for partner in partners:
        partner.due = needs_contact(partner, partner.last_contact_at, now)
        partner.days_since = (now - partner.last_contact_at).days if partner.last_contact_at else None
    return partners


def due_first(partners):
    """Reminders in the order to make the calls: never contacted first, then the longest silence, decision
    makers before key partners."""
    return sorted(partners, key=lambda p: (p.last_contact_at is not None, p.last_contact_at or 0,
                                           not p.is_decision_maker, p.name))


def partners_due(authority, now):
    """The active key partners and decision makers a reminder is on for, in calling order. One query."""
    from django.db.models import Q

    watched = with_last_contact(Partner.objects.filter(authority=authority, is_active=True)
                                .filter(Q(is_key=True) | Q(is_decision_maker=True)))
    return due_first([p for p in mark(list(watched), now) if p.due])
