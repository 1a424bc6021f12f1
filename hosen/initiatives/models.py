"""Design thinking: new responses to the emergency run as initiatives through the model's six phases,
ASK → IMAGINE → PLAN → CREATE & BUILD → TEST & IMPROVE → SHARE, with notes per phase that answer the
phase's guiding questions, links to the needs they answer, the resources they use and the KPIs that judge
them, and at SHARE a practice write-up ready for the network library.

The phases' names, meanings and guiding questions are the model's content (hosen.workmodel.DesignPhase,
keyed by the same keys as `PhaseKey`); the labels here are only a fallback when that content is missing.
Links are explicit tenant-owned rows (not bare many-to-many tables), so linking and unlinking are in the
audit history with who and when, like every other change.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hosen.field.models import Need
from hosen.plan.models import Kpi
from hosen.resources.models import Facility, Person
from hosen.tenancy.models import TenantModel
from hosen.workmodel.models import Emergency


class PhaseKey(models.TextChoices):
    ASK = "ask", _("Ask")
    IMAGINE = "imagine", _("Imagine")
    PLAN = "plan", _("Plan")
    CREATE = "create", _("Create & build")
    TEST = "test", _("Test & improve")
    SHARE = "share", _("Share")


# The cycle's order: an initiative moves one phase forward or back at a time.
PHASES = [key for key, _label in PhaseKey.choices]


class StageKey(models.TextChoices):
    """The stage of the working model a practice belongs to (the stage pages' keys)."""

    ONE = "1", _("Stage 1")
    TWO = "2", _("Stage 2")
    THREE = "3", _("Stage 3")
    FOUR = "4", _("Stage 4")
    AXIS = "X", _("The accompanying axis")


class Initiative(TenantModel):
    """A new response to the emergency, on its way through the design-thinking cycle."""

    emergency = models.ForeignKey(Emergency, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                  verbose_name=_("emergency"))
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("summary"), max_length=4000, blank=True)
    phase = models.CharField(_("phase"), max_length=10, choices=PhaseKey.choices, default=PhaseKey.ASK)
    owner = models.CharField(_("owner"), max_length=200, blank=True)
    needs = models.ManyToManyField(Need, through="InitiativeNeed", blank=True, related_name="initiatives",
                                   verbose_name=_("needs"))
    people = models.ManyToManyField(Person, through="InitiativePerson", blank=True, related_name="initiatives",
                                    verbose_name=_("people"))
    facilities = models.ManyToManyField(Facility, through="InitiativeFacility", blank=True,
                                        related_name="initiatives", verbose_name=_("facilities"))
    kpis = models.ManyToManyField(Kpi, through="InitiativeKpi", blank=True, related_name="initiatives",
                                  verbose_name=_("KPIs"))
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    # When it reached SHARE; cleared if it moves back.
    shared_at = models.DateTimeField(_("shared"), null=True, blank=True)

    class Meta:
        ordering = ["-updated_at", "-pk"]
        verbose_name = _("initiative")
        verbose_name_plural = _("initiatives")
        indexes = [models.Index(fields=["authority", "emergency", "phase"])]

    def __str__(self):
        return self.title

    @property
    def phase_index(self):
        return PHASES.index(self.phase)

    @property
    def previous_phase(self):
        return PHASES[self.phase_index - 1] if self.phase_index > 0 else None

    @property
    def next_phase(self):
        return PHASES[self.phase_index + 1] if self.phase_index < len(PHASES) - 1 else None


class InitiativeLink(TenantModel):
    """One link of an initiative to a record of another register: who made it and when."""

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="+")
    linked_at = models.DateTimeField(default=timezone.now)
    linked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")

    class Meta:
        abstract = True


class InitiativeNeed(InitiativeLink):
    need = models.ForeignKey(Need, on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = _("initiative's need")
        constraints = [models.UniqueConstraint(fields=["initiative", "need"], name="initiative_need_once")]


class InitiativePerson(InitiativeLink):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = _("initiative's person")
        constraints = [models.UniqueConstraint(fields=["initiative", "person"], name="initiative_person_once")]


class InitiativeFacility(InitiativeLink):
    facility = models.ForeignKey(Facility, on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = _("initiative's facility")
        constraints = [models.UniqueConstraint(fields=["initiative", "facility"], name="initiative_facility_once")]


class InitiativeKpi(InitiativeLink):
    kpi = models.ForeignKey(Kpi, on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = _("initiative's KPI")
        constraints = [models.UniqueConstraint(fields=["initiative", "kpi"], name="initiative_kpi_once")]


class PhaseNote(TenantModel):
    """A note in one phase of an initiative, answering that phase's guiding questions."""

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="notes")
    phase = models.CharField(_("phase"), max_length=10, choices=PhaseKey.choices)
    text = models.TextField(_("note"), max_length=4000)
    created_at = models.DateTimeField(_("written"), default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("phase note")
        indexes = [models.Index(fields=["initiative", "phase"])]

    def __str__(self):
        return self.text[:60]


class PhaseMove(TenantModel):
    """A move of an initiative from one phase to the next or the previous: the initiative's journey."""

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="moves")
    from_phase = models.CharField(_("from"), max_length=10, choices=PhaseKey.choices)
    to_phase = models.CharField(_("to"), max_length=10, choices=PhaseKey.choices)
    moved_at = models.DateTimeField(_("moved at"), default=timezone.now)
    moved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+")

    class Meta:
        ordering = ["-moved_at", "-pk"]
        verbose_name = _("phase move")

    def __str__(self):
        return f"{self.from_phase} → {self.to_phase}"

    @property
    def is_forward(self):
        return PHASES.index(self.to_phase) > PHASES.index(self.from_phase)


class Practice(TenantModel):
    """The write-up of an initiative at SHARE: a practice ready for the network library."""

    initiative = models.OneToOneField(Initiative, on_delete=models.CASCADE, related_name="practice")
    title = models.CharField(_("title"), max_length=200)
    problem = models.TextField(_("the problem"), max_length=4000, help_text=_("What need or situation did it answer?"))
    what_we_did = models.TextField(_("what we did"), max_length=4000)
    what_worked = models.TextField(_("what worked"), max_length=4000, blank=True)
    watch_for = models.TextField(_("what to watch for"), max_length=4000, blank=True)
    resources_needed = models.TextField(_("resources needed"), max_length=4000, blank=True,
                                        help_text=_("People, places, equipment and money it took."))
    stage = models.CharField(_("stage of the model"), max_length=2, choices=StageKey.choices, default=StageKey.FOUR)
    tags = models.CharField(_("tags"), max_length=300, blank=True, help_text=_("Separated by commas."))
    ready_for_library = models.BooleanField(_("ready for the network library"), default=False)
    published_at = models.DateTimeField(_("marked ready"), null=True, blank=True)
    written_at = models.DateTimeField(_("written"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    written_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        verbose_name = _("practice")

    def __str__(self):
        return self.title

    @property
    def tag_list(self):
        return [tag.strip() for tag in self.tags.split(",") if tag.strip()]
