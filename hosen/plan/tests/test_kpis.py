"""KPIs: computations against hand-worked numbers, the on-track rule, values, the set switch, the loader."""

import json
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from hosen.integrity.testing import loaded
from hosen.plan import kpis, services, templates_loader
from hosen.plan.models import Kpi, KpiSetChange, KpiTemplate, Measurement

from .matrix_plan import make_activity, make_kpi

pytestmark = pytest.mark.django_db

NOW = timezone.now()


def url(cast, name, **kwargs):
    return reverse(name, kwargs={"authority_slug": cast.authority.slug, **kwargs})


def choose_set(client, cast, **choice):
    """The set's form as the page holds it (with the set's version), with `choice` ticked instead."""
    data = loaded(client, url(cast, "plan:kpi_choose"), having="version", **choice)
    return client.post(url(cast, "plan:kpi_choose"), data)


def run(source, cast, now=NOW, emergency="current"):
    with scope(authority=cast.authority):
        return kpis.SOURCES[source].compute(cast.authority, cast.emergency if emergency == "current" else emergency,
                                            now)


# ---- computations --------------------------------------------------------------------------------


def make_need(cast, created_hours_ago, resolved_after_hours=None, status=None, emergency=None, authority=None,
              urgency=2):
    from hosen.field.models import Need

    created = NOW - timedelta(hours=created_hours_ago)
    resolved = None if resolved_after_hours is None else created + timedelta(hours=resolved_after_hours)
    with scopes_disabled():
        return Need.objects.create(
            authority=authority or cast.authority, emergency=emergency or cast.emergency, audience="students",
            category="equipment", description="מחשבים", urgency=urgency, created_at=created, resolved_at=resolved,
            status=status or ("met" if resolved else "open"))


def test_needs_met_within_72_hours(cast):
    # Counted (outcome known): 5 needs, of which 2 met within 72 hours -> 40.0
    make_need(cast, 100, resolved_after_hours=10)                  # met in 10 h            ✓
    make_need(cast, 30, resolved_after_hours=5)                    # young, met in 5 h      ✓
    make_need(cast, 90, resolved_after_hours=80)                   # met, but after 80 h    ✗
    make_need(cast, 80)                                            # 80 h old, still open   ✗
    make_need(cast, 20, resolved_after_hours=2, status="cannot")   # young, cannot be met   ✗
    # Left out: a young need still open (it has time), one older than the 7-day window, one of another
    # emergency, one of another authority.
    make_need(cast, 10)
    make_need(cast, 8 * 24, resolved_after_hours=1)
    with scopes_disabled():
        other_emergency = cast.emergency.__class__.objects.get(authority=cast.other_authority)
    make_need(cast, 50, resolved_after_hours=1, emergency=other_emergency, authority=cast.other_authority)
    assert run("needs_met_72h", cast) == Decimal("40.0")


def test_needs_met_within_72_hours_has_no_value_without_needs(cast):
    make_need(cast, 10)  # young and open: nothing known yet
    assert run("needs_met_72h", cast) is None
    assert run("needs_met_72h", cast, emergency=None) is None


def test_sites_fresh_three_of_four(cast):
    from hosen.field.models import Site, SiteStatus

    with scopes_disabled():
        sites = [Site.objects.create(authority=cast.authority, name=f"אתר {n}", kind="school") for n in range(4)]
        Site.objects.create(authority=cast.authority, name="סגור לתמיד", kind="school", is_active=False)
        for site, hours in zip(sites, (1, 20, 47, 50), strict=True):
            SiteStatus.objects.create(authority=cast.authority, emergency=cast.emergency, site=site, status="open",
                                      reported_at=timezone.now() - timedelta(hours=hours))
    assert run("sites_fresh", cast) == Decimal("75.0")


def test_volunteers_active(cast):
    from hosen.field.models import Need
    from hosen.resources.models import Allocation, Person

    def person(name, kind="volunteer", availability="unknown", emergency=None, active=True):
        with scopes_disabled():
            return Person.objects.create(authority=cast.authority, name=name, kind=kind, availability=availability,
                                         availability_emergency=emergency, is_active=active)

    person("זמין", availability="available", emergency=cast.emergency)                      # ✓
    person("חלקית", kind="activist", availability="partly", emergency=cast.emergency)       # ✓
    person("זמין באירוע קודם", availability="available", emergency=None)                     # ✗ not this emergency
    person("לא זמין", availability="unavailable", emergency=cast.emergency)                  # ✗
    person("עובד צוות", kind="staff", availability="available", emergency=cast.emergency)    # ✗ not a volunteer
    person("לא פעיל", availability="available", emergency=cast.emergency, active=False)     # ✗ archived
    allocated = person("משובץ")                                                              # ✓ allocated
    released = person("שוחרר")                                                               # ✗ released
    with scopes_disabled():
        need = Need.objects.create(authority=cast.authority, emergency=cast.emergency, audience="students",
                                   category="staff", description="מורה")
        Allocation.objects.create(authority=cast.authority, need=need, person=allocated)
        Allocation.objects.create(authority=cast.authority, need=need, person=released, released_at=timezone.now())
        # Available and allocated counts once.
        both = Person.objects.get(name="זמין")
        Allocation.objects.create(authority=cast.authority, need=need, person=both)
    assert run("volunteers_active", cast) == Decimal(3)


def test_activities_in_protected_spaces_and_essential_running(cast):
    from hosen.resources.models import Facility

    decide = lambda a, d, **kw: services.decide(a, cast.emergency, **{"decision": d, **kw})  # noqa: E731
    with scopes_disabled():
        shelter = Facility.objects.create(authority=cast.authority, name="מקלט", kind="shelter", is_protected=True)
        hall = Facility.objects.create(authority=cast.authority, name="אולם", kind="hall")
    a = make_activity(cast.authority, "א", essential=True, facility=shelter)   # continue, protected facility ✓
    b = make_activity(cast.authority, "ב", essential=True, facility=hall)      # adapt into protected space ✓
    c = make_activity(cast.authority, "ג", facility=shelter)                   # paused in a shelter ✗
    d = make_activity(cast.authority, "ד", essential=True)                     # adapt online ✗
    make_activity(cast.authority, "ה", essential=True, facility=shelter)       # undecided ✗
    e = make_activity(cast.authority, "ו", facility=shelter, is_active=False)  # archived ✗
    with scope(authority=cast.authority):
        decide(a, "continue")
        decide(b, "adapt", ways=["protected_space"], reason="r")
        decide(c, "pause", reason="r")
        decide(d, "adapt", ways=["online"], reason="r")
        decide(e, "continue")
    assert run("protected_space_activities", cast) == Decimal(2)
    # Essential: a, b, d running; ה undecided -> 3 of 4
    assert run("essential_running", cast) == Decimal("75.0")


def test_open_urgent_needs_and_new_responses(cast):
    make_need(cast, 5, urgency=4)
    make_need(cast, 5, urgency=3)
    make_need(cast, 5, urgency=2)
    make_need(cast, 5, resolved_after_hours=1, urgency=4)
    make_activity(cast.authority, "מענה", born_in=cast.emergency)
    make_activity(cast.authority, "רגילה")
    assert run("open_urgent_needs", cast) == Decimal(2)
    assert run("new_responses", cast) == Decimal(1)


# ---- the on-track rule -------------------------------------------------------------------------

D = date(2026, 10, 1)


def pts(*values, step=7):
    return [(D + timedelta(days=step * i), Decimal(str(v))) for i, v in enumerate(values)]


@pytest.mark.parametrize(("points", "target", "direction", "cadence", "expected"), [
    ([], Decimal(80), "higher", "weekly", kpis.NO_DATA),
    (pts(50), None, "higher", "weekly", kpis.NO_TARGET),
    (pts(80), Decimal(80), "higher", "weekly", kpis.ON_TRACK),          # meets the target exactly
    (pts(79), Decimal(80), "higher", "weekly", kpis.OFF_TRACK),         # one point, short of it
    (pts(60, 70), Decimal(80), "higher", "weekly", kpis.ON_TRACK),      # +10 a week reaches 80 next week
    (pts(60, 69), Decimal(80), "higher", "weekly", kpis.OFF_TRACK),     # +9 a week: 78 next week
    (pts(90, 70), Decimal(80), "higher", "weekly", kpis.OFF_TRACK),     # moving away
    (pts(10, 6), Decimal(2), "lower", "weekly", kpis.ON_TRACK),         # -4 a week reaches 2
    (pts(10, 7), Decimal(2), "lower", "weekly", kpis.OFF_TRACK),
    (pts(0), Decimal(0), "lower", "daily", kpis.ON_TRACK),
    (pts(60, 65, step=1), Decimal(80), "higher", "weekly", kpis.ON_TRACK),   # +5 a day: 100 in a week
    (pts(60, 65, step=1), Decimal(80), "higher", "daily", kpis.OFF_TRACK),   # but 70 tomorrow
    (pts(60, 70, step=14), Decimal(80), "higher", "monthly", kpis.ON_TRACK),  # +5 a week, a month to go
])
def test_judge(points, target, direction, cadence, expected):
    assert kpis.judge(points, target, direction, cadence) == expected


def test_series_keeps_the_latest_value_of_each_date():
    early, late = timezone.now() - timedelta(hours=2), timezone.now()
    rows = [Measurement(pk=2, value=Decimal(5), measured_for=D, measured_at=late),
            Measurement(pk=1, value=Decimal(3), measured_for=D, measured_at=early),
            Measurement(pk=3, value=Decimal(9), measured_for=D - timedelta(days=1), measured_at=early)]
    assert kpis.series(rows) == [(D - timedelta(days=1), Decimal(9)), (D, Decimal(5))]


def test_trend_is_drawn_in_its_box():
    trend = kpis.trend(pts(0, 50, 100), target=Decimal(80), width=120, height=32, pad=4)
    assert trend.points == "4.0,28.0 60.0,16.0 116.0,4.0"
    assert trend.target_y == pytest.approx(8.8)
    single = kpis.trend(pts(5))
    assert single.last_x == 60.0
    assert kpis.trend([]) is None


def test_values_are_shown_in_their_unit():
    from django.utils import translation

    with translation.override("en"):
        assert kpis.format_value(Decimal("1200"), "count") == "1,200"
    assert kpis.format_value(Decimal("40.0"), "percent") == "40%"
    assert kpis.format_value(Decimal("12.5"), "percent") == "12.5%"
    assert kpis.format_value(None, "count") == "—"


# ---- pages ---------------------------------------------------------------------------------------


def test_kpis_page_shows_values_targets_states_and_trends(cast, client_for):
    kpi = make_kpi(cast.authority, cast.emergency, name="תלמידים שהושגו", unit="percent", target=Decimal(80))
    make_kpi(cast.authority, cast.emergency, name="מחשבים", target=Decimal(100))
    with scopes_disabled():
        for weeks_ago, value in ((2, 50), (1, 65), (0, 75)):
            Measurement.objects.create(authority=cast.authority, kpi=kpi, value=value,
                                       measured_for=timezone.localdate() - timedelta(days=7 * weeks_ago))
    page = client_for(cast.viewer).get(url(cast, "plan:kpis")).content.decode()
    assert "75%" in page and "≥ 80%" in page
    assert 'class="card kpi kpi-on_track"' in page  # +10 a week reaches 80 by next week
    assert 'class="card kpi kpi-no_data"' in page
    assert "<polyline" in page and "Trend of 3 values, from 50% to 75%" in page
    assert "style=" not in page and "<script>" not in page


def test_computed_kpis_refresh_when_the_page_opens_only_when_due(cast, client_for):
    from hosen.field.models import Need

    make_need(cast, 5, urgency=4)
    kpi = make_kpi(cast.authority, cast.emergency, name="דחופים", source="open_urgent_needs", direction="lower",
                   target=Decimal(0), cadence="daily")
    client = client_for(cast.viewer)
    client.get(url(cast, "plan:kpis"))
    client.get(url(cast, "plan:kpis"))
    with scopes_disabled():
        values = list(kpi.measurements.values_list("value", "computed"))
        assert values == [(Decimal("1.00"), True)]
        # A day later the value is due again.
        kpi.measurements.update(measured_at=timezone.now() - timedelta(days=1, minutes=1))
        Need.objects.update(status="met", resolved_at=timezone.now())
    page = client.get(url(cast, "plan:kpis")).content.decode()
    with scopes_disabled():
        assert [v for v, _c in kpi.measurements.order_by("pk").values_list("value", "computed")] == [1, 0]
    assert 'kpi-on_track' in page


def test_compute_now_stores_a_computed_value(cast, client_for):
    make_activity(cast.authority, "מענה", born_in=cast.emergency)
    kpi = make_kpi(cast.authority, cast.emergency, name="מענים", source="new_responses")
    response = client_for(cast.team).post(url(cast, "plan:kpi", kpi_pk=kpi.pk), {"action": "compute"})
    assert response.status_code == 302
    with scopes_disabled():
        (m,) = kpi.measurements.all()
    assert m.value == 1 and m.computed and m.entered_by == cast.team
    manual = make_kpi(cast.authority, cast.emergency, name="ידני")
    client_for(cast.team).post(url(cast, "plan:kpi", kpi_pk=manual.pk), {"action": "compute"})
    with scopes_disabled():
        assert not manual.measurements.exists()


@pytest.mark.parametrize(("unit", "value", "day", "error"), [
    ("percent", "101", None, "A percentage cannot be more than 100."),
    ("count", "-1", None, "The value cannot be negative."),
    ("count", "abc", None, "Enter a number, like 42 or 12.5."),
    ("count", "", None, "Enter a number."),
    ("count", "1.234", None, "Use at most two digits after the decimal point."),
    ("count", "5", "2999-01-01", "The date cannot be in the future."),
    ("count", "5", "not a date", "Enter a valid date."),
])
def test_bad_values_get_a_clear_message_and_change_nothing(cast, client_for, unit, value, day, error):
    kpi = make_kpi(cast.authority, cast.emergency, unit=unit)
    client = client_for(cast.team)
    client.cookies["django_language"] = "en"  # Django's own catalogue translates some of these messages
    response = client.post(url(cast, "plan:kpi", kpi_pk=kpi.pk), {
        "action": "measure", "value": value, "measured_for": day or timezone.localdate().isoformat()})
    assert response.status_code == 422
    assert error in response.content.decode()
    with scopes_disabled():
        assert not kpi.measurements.exists()


def test_a_good_value_is_recorded(cast, client_for):
    kpi = make_kpi(cast.authority, cast.emergency, unit="percent")
    response = client_for(cast.team).post(url(cast, "plan:kpi", kpi_pk=kpi.pk), {
        "action": "measure", "value": "100", "measured_for": "2026-10-08", "note": "סקר מנהלים"})
    assert response.status_code == 302
    with scopes_disabled():
        (m,) = kpi.measurements.all()
    assert (m.value, m.measured_for, m.note, m.entered_by, m.computed) == (
        Decimal(100), date(2026, 10, 8), "סקר מנהלים", cast.team, False)


def test_only_the_manager_sets_targets(cast, client_for):
    kpi = make_kpi(cast.authority, cast.emergency, unit="percent")
    data = loaded(client_for(cast.manager), url(cast, "plan:kpi", kpi_pk=kpi.pk), having="baseline", target="90",
                  baseline="40", cadence="daily", direction="higher")
    assert client_for(cast.team).post(url(cast, "plan:kpi", kpi_pk=kpi.pk), data).status_code == 403
    response = client_for(cast.manager).post(url(cast, "plan:kpi", kpi_pk=kpi.pk), {**data, "target": "120"})
    assert response.status_code == 422
    assert "A percentage cannot be more than 100." in response.content.decode()
    assert client_for(cast.manager).post(url(cast, "plan:kpi", kpi_pk=kpi.pk), data).status_code == 302
    kpi.refresh_from_db()
    assert (kpi.target, kpi.baseline, kpi.cadence) == (Decimal(90), Decimal(40), "daily")


def test_another_authoritys_kpi_is_not_found(cast, client_for):
    theirs = make_kpi(cast.other_authority, None, name="שלהם")
    client = client_for(cast.manager)
    assert client.get(url(cast, "plan:kpi", kpi_pk=theirs.pk)).status_code == 404
    assert client.post(url(cast, "plan:kpi", kpi_pk=theirs.pk), {"value": "1"}).status_code == 404


# ---- the set and its switches ------------------------------------------------------------------


def test_choosing_the_set_records_the_switch(cast, client_for, kpi_templates):
    templates = {t.key: t for t in KpiTemplate.objects.all()}
    client = client_for(cast.manager)
    page = client.get(url(cast, "plan:kpi_choose")).content.decode()
    assert templates["needs_met_72h"].name_en in page
    # Routine templates are offered apart, folded, not in the emergency's list.
    assert page.index("Routine KPIs (not usually tracked") < page.index(templates["stem_students"].name_en)

    first = [templates["needs_met_72h"].pk, templates["sites_fresh"].pk]
    assert choose_set(client, cast, templates=first).status_code == 302
    assert choose_set(client, cast, templates=[templates["sites_fresh"].pk,
                                               templates["laptops_distributed"].pk]).status_code == 302
    assert choose_set(client, cast, templates=first).status_code == 302
    with scopes_disabled():
        current = Kpi.objects.filter(authority=cast.authority, emergency=cast.emergency, is_active=True)
        assert {k.template.key for k in current} == {"needs_met_72h", "sites_fresh"}
        # The KPI that left and came back is the same row, with its values kept.
        assert Kpi.objects.filter(template=templates["needs_met_72h"]).count() == 1
        changes = list(KpiSetChange.objects.order_by("pk"))
    assert len(changes) == 3
    assert all(c.changed_by == cast.manager and c.emergency == cast.emergency for c in changes)
    assert len(changes[1].added) == 1 and len(changes[1].removed) == 1

    page = client_for(cast.viewer).get(url(cast, "plan:kpis")).content.decode()
    assert "Changes to the set" in page and cast.manager.display_name in page
    assert "removed" in page

    # Saving the same choice again records nothing.
    client = client_for(cast.manager)
    assert choose_set(client, cast, templates=first).status_code == 302
    with scopes_disabled():
        assert KpiSetChange.objects.count() == 3


def test_a_custom_kpi(cast, client_for, kpi_templates):
    client = client_for(cast.manager)
    response = client.post(url(cast, "plan:kpi_choose"), {
        "action": "custom", "custom-name": "", "custom-unit": "percent", "custom-cadence": "weekly",
        "custom-direction": "higher", "custom-target": "150"})
    assert response.status_code == 422
    body = response.content.decode()
    assert "Give the KPI a name." in body and "A percentage cannot be more than 100." in body
    response = client.post(url(cast, "plan:kpi_choose"), {
        "action": "custom", "custom-name": "שיחות עם הורים", "custom-unit": "count", "custom-cadence": "weekly",
        "custom-direction": "higher", "custom-target": "50"})
    assert response.status_code == 302
    with scopes_disabled():
        kpi = Kpi.objects.get(name="שיחות עם הורים")
        assert kpi.template is None and kpi.emergency == cast.emergency and kpi.target == 50
        assert KpiSetChange.objects.get().added == [kpi.pk]
    # Unticking it in the set takes it out.
    assert choose_set(client, cast, custom=[]).status_code == 302
    kpi.refresh_from_db()
    assert not kpi.is_active


def test_routine_set_without_an_emergency(cast, client_for, kpi_templates):
    from hosen.workmodel.services import close_emergency

    with scopes_disabled():
        close_emergency(cast.emergency, "לקחים")
        routine = KpiTemplate.objects.get(key="programme_hours")
        emergency_only = KpiTemplate.objects.get(key="needs_met_72h")
    client = client_for(cast.manager)
    page = client.get(url(cast, "plan:kpi_choose")).content.decode()
    assert routine.name_en in page and emergency_only.name_en not in page
    assert choose_set(client, cast, templates=[routine.pk]).status_code == 302
    with scopes_disabled():
        kpi = Kpi.objects.get(template=routine)
    assert kpi.emergency is None
    page = client_for(cast.viewer).get(url(cast, "plan:kpis")).content.decode()
    assert "these are the routine KPIs" in page and routine.name_en in page


def test_routine_kpis_are_kept_apart_during_an_emergency(cast, client_for, kpi_templates):
    with scopes_disabled():
        routine = KpiTemplate.objects.get(key="teacher_training")
        urgent = KpiTemplate.objects.get(key="open_urgent_needs")
        services.choose(cast.authority, None, cast.manager, offered=[routine], chosen_templates=[routine])
        services.choose(cast.authority, cast.emergency, cast.manager, offered=[urgent], chosen_templates=[urgent])
    page = client_for(cast.viewer).get(url(cast, "plan:kpis")).content.decode()
    assert page.index(urgent.name_en) < page.index("Routine KPIs, kept apart") < page.index(routine.name_en)


# ---- the library -------------------------------------------------------------------------------


def test_the_templates_load_once_and_update_in_place(db, tmp_path):
    first = templates_loader.load()
    assert first["created"] >= 12 and first["updated"] == 0
    assert templates_loader.load() == {"created": 0, "updated": 0, "unchanged": first["created"], "retired": 0}
    emergency = KpiTemplate.objects.filter(kind="emergency")
    assert set(emergency.values_list("key", flat=True)) >= {
        "students_reached", "laptops_distributed", "protected_space_activities", "needs_met_72h", "volunteers_active",
        "sites_fresh", "essential_running", "open_urgent_needs"}
    assert KpiTemplate.objects.filter(kind="routine").count() >= 3
    for template in KpiTemplate.objects.all():
        assert template.name_he and template.name_ar and template.name_en and template.description_ar
        assert not template.source or template.source in kpis.SOURCES

    data = json.loads(templates_loader.TEMPLATES_FILE.read_text(encoding="utf-8"))
    data["templates"][0]["name"]["en"] = "Students reached"
    retired = data["templates"].pop()["key"]
    changed = tmp_path / "kpi.json"
    changed.write_text(json.dumps(data), encoding="utf-8")
    counts = templates_loader.load(changed)
    assert counts["updated"] == 1 and counts["retired"] == 1
    assert KpiTemplate.objects.get(key=data["templates"][0]["key"]).name_en == "Students reached"
    assert not KpiTemplate.objects.get(key=retired).is_active


def test_a_template_with_an_unknown_computation_is_refused(db, tmp_path):
    data = json.loads(templates_loader.TEMPLATES_FILE.read_text(encoding="utf-8"))
    data["templates"][0]["source"] = "no_such_thing"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ValueError, match="no_such_thing"):
        templates_loader.load(bad)
    assert not KpiTemplate.objects.exists()


def test_the_command_is_idempotent(db):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("load_kpi_templates", stdout=out)
    call_command("load_kpi_templates", stdout=out)
    assert "0 created, 0 updated" in out.getvalue()
