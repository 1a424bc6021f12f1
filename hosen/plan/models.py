"""Stage 4 — the adapted work plan: the plan's activities with a decision per emergency, and the KPIs
fitted to the situation (a shared library of templates, the authority's chosen set, its measurements)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hosen.field.models import Site
from hosen.resources.models import Facility
from hosen.tenancy.models import TenantModel
from hosen.workmodel.models import Emergency
from hosen.workmodel.translated import Translated, translated_fields

# ---- the work plan --------------------------------------------------------------------------------


class ActivityKind(models.TextChoices):
    PROGRAMME = "programme", _("Programme")
    EVENT = "event", _("Event")
    COURSE = "course", _("Course")
    OTHER = "other", _("Other")


class ActivityAudience(models.TextChoices):
    STUDENTS = "students", _("Students")
    TEACHERS = "teachers", _("Teachers")
    PARENTS = "parents", _("Parents")
    COMMUNITY = "community", _("Community")
    OTHER = "other", _("Other")


class Activity(TenantModel):
    """One activity of the authority's plan: a programme, event or course. Activities outlive
    emergencies; each emergency gives them a decision (ActivityDecision)."""

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=12, choices=ActivityKind.choices)
    partner = models.CharField(_("partner"), max_length=200, blank=True)
    audience = models.CharField(_("audience"), max_length=12, choices=ActivityAudience.choices)
    place = models.CharField(_("place"), max_length=200, blank=True)
    facility = models.ForeignKey(Facility, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                 verbose_name=_("facility"))
    site = models.ForeignKey(Site, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                             verbose_name=_("site"))
    starts_on = models.DateField(_("starts on"), null=True, blank=True)
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    owner = models.CharField(_("owner"), max_length=200, blank=True)
    is_essential = models.BooleanField(_("essential"), default=False,
                                       help_text=_("An activity that must go on, in some form, in an emergency."))
    is_stem = models.BooleanField(_("STEM / 21st-century skills"), default=True)
    notes = models.TextField(_("notes"), max_length=2000, blank=True)
    # Set when the activity is a new response added during that emergency.
    born_in = models.ForeignKey(Emergency, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                verbose_name=_("new response born in"))
    is_active = models.BooleanField(_("active in the plan"), default=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        ordering = ["name", "pk"]
        verbose_name_plural = "activities"
        indexes = [models.Index(fields=["authority", "is_active", "is_essential"])]

    def __str__(self):
        return self.name


class Decision(models.TextChoices):
    CONTINUE = "continue", _("Continue as is")
    ADAPT = "adapt", _("Adapt")
    PAUSE = "pause", _("Pause")
    STOP = "stop", _("Stop")


# An activity that continues or adapts is still running.
RUNNING = (Decision.CONTINUE, Decision.ADAPT)


class AdaptWay(models.TextChoices):
    ONLINE = "online", _("Online")
    PROTECTED_SPACE = "protected_space", _("In a protected space")
    SMALLER_GROUPS = "smaller_groups", _("Smaller groups")
    OTHER_PLACE = "other_place", _("Another place")
    OTHER_TIME = "other_time", _("Another time")
    OTHER = "other", _("Other")


def has_way(way, prefix=""):
    """A filter: the decision's ways include `way`. The ways are a JSON list of fixed keys without quotes,
    so a quoted key is found in its text on SQLite and on PostgreSQL alike (SQLite has no JSON contains)."""
    return Q(**{f"{prefix}ways__icontains": f'"{way}"'})


class ActivityDecision(TenantModel):
    """What happens to an activity in an emergency. Rows are kept, never overwritten: a new decision
    becomes the current one (`is_current`) and the earlier ones stay as the activity's decision history,
    each with who decided, when and why. One current decision per activity per emergency."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="decisions")
    emergency = models.ForeignKey(Emergency, on_delete=models.CASCADE, related_name="+")
    decision = models.CharField(_("decision"), max_length=10, choices=Decision.choices)
    ways = models.JSONField(_("ways to adapt"), default=list, blank=True)  # [AdaptWay values]
    how = models.CharField(_("how"), max_length=500, blank=True)
    reason = models.TextField(_("reason"), max_length=2000, blank=True)
    decided_at = models.DateTimeField(_("decided at"), default=timezone.now)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    is_current = models.BooleanField(default=True)

    class Meta:
        ordering = ["-decided_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["activity", "emergency"], condition=Q(is_current=True),
                                    name="one_current_decision"),
        ]
        indexes = [models.Index(fields=["emergency", "is_current", "decision"])]

    def __str__(self):
        return f"{self.activity_id} {self.decision}"

    @property
    def is_running(self):
        return self.decision in RUNNING

    def way_labels(self):
        labels = dict(AdaptWay.choices)
        return [labels.get(way, way) for way in self.ways]


# ---- KPIs ------------------------------------------------------------------------------------------


class Unit(models.TextChoices):
    PERCENT = "percent", _("Percent")
    COUNT = "count", _("Count")
    HOURS = "hours", _("Hours")
    SHEKELS = "shekels", _("Shekels (₪)")


class Cadence(models.TextChoices):
    DAILY = "daily", _("Daily")
    WEEKLY = "weekly", _("Weekly")
    MONTHLY = "monthly", _("Monthly")


CADENCE_DAYS = {Cadence.DAILY: 1, Cadence.WEEKLY: 7, Cadence.MONTHLY: 30}


class Direction(models.TextChoices):
    HIGHER = "higher", _("Higher is better")
    LOWER = "lower", _("Lower is better")


class TemplateKind(models.TextChoices):
    EMERGENCY = "emergency", _("Emergency")
    ROUTINE = "routine", _("Routine")


class KpiTemplate(Translated, models.Model):
    """A KPI of the shared library (hosen/model_content/kpi_templates.json). Not owned by an authority."""

    key = models.SlugField(max_length=60, unique=True)
    kind = models.CharField(max_length=10, choices=TemplateKind.choices)
    order = models.PositiveSmallIntegerField(default=0)
    name_he, name_ar, name_en = translated_fields(models.CharField, max_length=200)
    description_he, description_ar, description_en = translated_fields()
    unit = models.CharField(max_length=10, choices=Unit.choices)
    cadence = models.CharField(max_length=10, choices=Cadence.choices)
    direction = models.CharField(max_length=10, choices=Direction.choices)
    # The key of a computation in hosen/plan/kpis.py; empty for a KPI entered by hand.
    source = models.CharField(max_length=60, blank=True)
    default_target = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    # A template dropped from the file is retired, not deleted: authorities' KPIs still point at it.
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["kind", "order", "key"]


class Kpi(TenantModel):
    """A KPI an authority tracks: for one emergency (`emergency` set) or in routine times (null).
    Made from a template, or custom (no template, its own name). Leaving the set makes it inactive:
    its measurements are kept."""

    emergency = models.ForeignKey(Emergency, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    template = models.ForeignKey(KpiTemplate, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("name"), max_length=200, blank=True)
    unit = models.CharField(_("unit"), max_length=10, choices=Unit.choices)
    baseline = models.DecimalField(_("baseline"), max_digits=12, decimal_places=2, null=True, blank=True)
    target = models.DecimalField(_("target"), max_digits=12, decimal_places=2, null=True, blank=True)
    cadence = models.CharField(_("cadence"), max_length=10, choices=Cadence.choices, default=Cadence.WEEKLY)
    direction = models.CharField(_("direction"), max_length=10, choices=Direction.choices, default=Direction.HIGHER)
    source = models.CharField(_("computed from"), max_length=60, blank=True)  # "" = entered by hand
    is_active = models.BooleanField(_("in the set"), default=True)
    chosen_at = models.DateTimeField(default=timezone.now)
    chosen_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["authority", "emergency", "template"], name="kpi_template_once",
                                    condition=Q(template__isnull=False)),
        ]
        indexes = [models.Index(fields=["authority", "emergency", "is_active"])]

    def __str__(self):
        return self.title

    @property
    def title(self):
        if self.template_id and not self.name:
            return self.template.tr("name")
        return self.name

    @property
    def description(self):
        return self.template.tr("description") if self.template_id else ""

    @property
    def is_computed(self):
        return bool(self.source)

    @property
    def is_percent(self):
        return self.unit == Unit.PERCENT


class Measurement(TenantModel):
    """One value of a KPI, entered by hand or computed from the registers."""

    kpi = models.ForeignKey(Kpi, on_delete=models.CASCADE, related_name="measurements")
    value = models.DecimalField(_("value"), max_digits=12, decimal_places=2)
    measured_for = models.DateField(_("for the date"), default=timezone.localdate)
    measured_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    note = models.CharField(_("note"), max_length=300, blank=True)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    computed = models.BooleanField(_("computed"), default=False)

    class Meta:
        ordering = ["measured_for", "measured_at", "pk"]
        indexes = [models.Index(fields=["kpi", "measured_for"])]

    def __str__(self):
        return f"{self.kpi_id} {self.value}"


class KpiSetChange(TenantModel):
    """A switch of the KPI set: who changed it, when, what came in and what went out (names as they were)."""

    emergency = models.ForeignKey(Emergency, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    changed_at = models.DateTimeField(default=timezone.now)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    added = models.JSONField(default=list, blank=True)
    removed = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-changed_at", "-pk"]
