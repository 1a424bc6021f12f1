"""Writing to the field registers: shared by the manager's pages and the public token forms."""

from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import UNMET, Need, SiteStatus


def record_status(site, emergency, *, status, present=None, evacuated=None, hosted=None,
                  protected_space_available=None, note="", user=None, reporter_name="", link=None,
                  submission=None) -> tuple[SiteStatus, bool]:
    """Add a status report for a site. Returns (report, created): a form sent twice with the same
    `submission` key gives back the first report instead of a duplicate."""
    if submission is not None:
        existing = SiteStatus.objects.filter(submission=submission).first()
        if existing is not None:
            return existing, False
    try:
        with transaction.atomic():
            report = SiteStatus.objects.create(
                authority=site.authority, emergency=emergency, site=site, status=status, present=present,
                evacuated=evacuated, hosted=hosted, protected_space_available=protected_space_available,
                note=note, reported_by=user, reporter_name=reporter_name, via_link=link, submission=submission,
                reported_at=timezone.now(),
            )
    except IntegrityError:
        # The same submission raced in from a second request: the first one won.
        return SiteStatus.objects.get(submission=submission), False
    return report, True


def add_need(authority, emergency, *, user=None, **fields) -> Need:
    return Need.objects.create(authority=authority, emergency=emergency, created_by=user, **fields)


def change_need_status(need, status, user=None) -> bool:
    """Move a need to a new status; kept in its history. Returns False when nothing changed."""
    if need.status == status:
        return False
    need.status = status
    need.resolved_at = None if status in UNMET else timezone.now()
    need._history_user = user  # simple-history records who made the change
    need.save(update_fields=["status", "resolved_at", "updated_at"])
    return True


