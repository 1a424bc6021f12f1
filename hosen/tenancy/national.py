"""A generated national network, for benchmarks and for trying the product at full scale.

`python manage.py generate_national` builds one network ("national") of about 13 clusters and 260
invented authorities, each with a manager, most of them in an open emergency with several checklist
rounds, and some closed emergencies with lessons learned. Names are invented from Hebrew syllables
and numbered, and the network's name says the data is generated.

The work is a list of steps, one small function per register (`STEPS`). Each takes the shared
`Generation` and adds its rows with `bulk_create`, or `bulk_create_with_history` for tenant-owned
models, so the audit history is written as it would be by the pages. A later register adds its own
step function (say `sites(gen)`) and appends it to `STEPS`; `counts()` picks up every tenant model by
itself. A fixed seed gives the same names, shapes and answers on every run.
"""

import random
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import Q
from django.test.utils import override_settings
from django.utils import timezone
from django_scopes import scopes_disabled
from simple_history.utils import bulk_create_with_history

from hosen.accounts.models import Membership, Role, User
from hosen.workmodel.models import (
    Answer,
    AnswerStatus,
    CheckIn,
    ChecklistItem,
    Emergency,
    EmergencyKind,
    Phase,
    Round,
    Severity,
)

from .audit import tenant_models
from .models import Authority, Cluster, Network

NETWORK_SLUG = "national"
NETWORK_NAME = "רשת ארצית — נתונים מחוללים"
EMAIL_DOMAIN = "national.example.org"
ADMIN_EMAIL = "national@example.org"
DEFAULT_PASSWORD = "hosen-demo"  # noqa: S105  generated data only, printed by the command on purpose
BATCH = 500

# ---- invented words -----------------------------------------------------------------------------

CLUSTER_NAMES = [
    "אשכול הגליל העליון", "אשכול הגליל המערבי", "אשכול הגליל התחתון", "אשכול העמקים",
    "אשכול הכרמל", "אשכול השרון", "אשכול המרכז", "אשכול דן", "אשכול השפלה", "אשכול ההר",
    "אשכול יהודה", "אשכול הנגב המערבי", "אשכול הערבה",
]
PLACE_PREFIXES = ["קריית", "נווה", "גבעת", "עין", "כפר", "מעלה", "רמת", "בית", "מצפה", "תל", "שדה", "גן"]
FIRST_SYLLABLES = ["אל", "בר", "גל", "דור", "הד", "זיו", "חר", "טל", "יער", "כר", "לב", "מור", "נח", "סל",
                   "עד", "פר", "צור", "רו", "שי", "תמ"]
LAST_SYLLABLES = ["און", "ון", "ית", "ים", "ה", "אל", "עם", "ור", "ני", "דה", "לי", "רה"]
FIRST_NAMES = ["נועה", "מיכל", "יעל", "רונית", "אורית", "סמאח", "רים", "דנה", "שירה", "ליאת", "עדי", "מרים",
               "אבי", "יוסי", "מוחמד", "איתי", "עומר", "רועי", "אחמד", "גלעד", "דוד", "חנה", "תמר", "הדס"]
LAST_NAMES = ["כהן", "לוי", "מזרחי", "פרץ", "ביטון", "אברהם", "חדד", "עזרא", "דהן", "חסן", "גבאי", "שלום",
              "אזולאי", "קליין", "נסאר", "חורי", "ברק", "גולן", "שמעוני", "טל"]

EMERGENCY_NAMES = {
    EmergencyKind.WAR: ["מלחמה בצפון", "מבצע צבאי ממושך", "לחימה בגבול"],
    EmergencyKind.ROCKETS: ["ירי רקטות", "מטחי רקטות על האזור"],
    EmergencyKind.EVACUATION: ["פינוי תושבים", "קליטת מפונים"],
    EmergencyKind.EARTHQUAKE: ["רעידת אדמה"],
    EmergencyKind.FIRE: ["שריפת יער", "שריפה באזור התעשייה"],
    EmergencyKind.FLOOD: ["הצפות בעקבות סערה", "סערת חורף"],
    EmergencyKind.EPIDEMIC: ["התפרצות מחלה", "מגפה — סגירת מוסדות"],
    EmergencyKind.DRILL: ["תרגיל רשותי", "תרגיל עורף ארצי"],
    EmergencyKind.OTHER: ["הפסקת חשמל ממושכת", "אירוע חומרים מסוכנים"],
}
AREAS = ["כל הרשות", "השכונות המזרחיות", "השכונה הוותיקה", "אזור התעשייה", "השכונות הצפוניות", "מרכז היישוב",
         "הכפרים שבתחום הרשות", ""]
NOTES = ["ישיבת צוות יומית בזום, 9:00", "חסר מידע על כמה גני ילדים", "סקר הורים יוצא מחר",
         "עדכון יומי למנהלת אגף החינוך", "בתיאום עם מחלקת הרווחה", "ממתינים לתשובת משרד החינוך",
         "נקבע מפגש עם ההורים ביום חמישי", "רשימת המתנדבים עודכנה", "הועבר לאחראית המשמרת",
         "אין מרחבים ממוגנים פנויים ברשות"]
LESSONS = ["רשימת טלפונים מעודכנת של מנהלי בתי הספר חסכה שעות ביום הראשון.",
           "לפתוח קבוצת עדכונים אחת להורים ולא חמש.", "להחזיק מלאי של מחשבים ניידים להשאלה.",
           "לקבוע מראש מי מחליף את המנהלת כשהיא בשטח.", "סקר צרכים בשבוע הראשון, לא בשלישי.",
           "המתנדבים צריכים נקודת קשר אחת ברשות.", "לתרגל את פתיחת המרחבים המוגנים פעמיים בשנה.",
           "תיאום יומי קצר עם הרווחה מנע כפילויות."]
FEELINGS = ["עייפה אבל מחזיקה", "לחוץ, הרבה משימות פתוחות", "רגועה יותר מאתמול", "מותש", "מרגישה שהצוות איתי"]

# Open answers lean towards "in progress"; a later confirmation moves a status one step on.
STATUS_WEIGHTS = {AnswerStatus.DONE: 3, AnswerStatus.PARTLY: 3, AnswerStatus.NOT_YET: 3,
                  AnswerStatus.NOT_RELEVANT: 1}
ADVANCE = {AnswerStatus.NOT_YET: AnswerStatus.PARTLY, AnswerStatus.PARTLY: AnswerStatus.DONE}
OPEN_PHASES = [Phase.READINESS, Phase.ACTIVE, Phase.RECOVERY]
OPEN_SHARE = 0.8  # authorities in an open emergency
CLOSED_SHARE = 0.3  # authorities with closed emergencies behind them


@dataclass
class Generation:
    """What the steps share: the settings of the run and the rows made so far."""

    size: int
    rng: random.Random
    password_hash: str
    now: datetime
    today: date
    network: Network | None = None
    clusters: list[Cluster] = field(default_factory=list)
    authorities: list[Authority] = field(default_factory=list)
    managers: dict[int, User] = field(default_factory=dict)  # authority pk → its manager
    admin: User | None = None
    open_emergencies: list[Emergency] = field(default_factory=list)
    closed_emergencies: list[Emergency] = field(default_factory=list)
    # Filled by the register apps' steps for the steps after them (e.g. sites, people).
    sites_by_authority: dict = field(default_factory=dict)
    people_by_authority: dict = field(default_factory=dict)

    def when(self, day: date, hour: int = 8) -> datetime:
        """An aware moment on a local date."""
        return datetime.combine(day, time(hour), tzinfo=timezone.get_current_timezone())


def _by_history(objs, moment_and_user):
    """Stamp each object's history row with when and by whom, before bulk_create_with_history."""
    for obj in objs:
        obj._history_date, obj._history_user = moment_and_user(obj)
    return objs


# ---- the steps ----------------------------------------------------------------------------------


def network_and_clusters(gen: Generation):
    gen.network = Network.objects.create(name=NETWORK_NAME, slug=NETWORK_SLUG)
    count = min(len(CLUSTER_NAMES), max(2, gen.size // 20 + 1))
    gen.clusters = Cluster.objects.bulk_create(
        [Cluster(network=gen.network, name=f"{name} (מחולל)") for name in CLUSTER_NAMES[:count]]
    )


def authority_name(rng: random.Random, number: int) -> str:
    word = rng.choice(FIRST_SYLLABLES) + rng.choice(LAST_SYLLABLES)
    return f"{rng.choice(PLACE_PREFIXES)} {word} {number}"


def authorities(gen: Generation):
    gen.authorities = Authority.objects.bulk_create(
        [Authority(cluster=gen.clusters[(n - 1) % len(gen.clusters)], name=authority_name(gen.rng, n),
                   slug=f"a-{n:03d}") for n in range(1, gen.size + 1)],
        batch_size=BATCH,
    )


def _person(gen: Generation, email: str) -> User:
    full_name = f"{gen.rng.choice(FIRST_NAMES)} {gen.rng.choice(LAST_NAMES)}"
    # One hash made once: argon2 for every one of hundreds of users would take minutes.
    return User(email=email, full_name=full_name, password=gen.password_hash, date_joined=gen.now)


def sign_ins(gen: Generation):
    """A network admin, a coordinator per cluster and a manager per authority."""
    admin = _person(gen, ADMIN_EMAIL)
    coordinators = [_person(gen, f"coordinator-{i:02d}@{EMAIL_DOMAIN}") for i in range(1, len(gen.clusters) + 1)]
    managers = [_person(gen, f"manager-{a.slug.removeprefix('a-')}@{EMAIL_DOMAIN}") for a in gen.authorities]
    User.objects.bulk_create([admin, *coordinators, *managers], batch_size=BATCH)
    gen.admin = admin
    gen.managers = {a.pk: m for a, m in zip(gen.authorities, managers, strict=True)}
    Membership.objects.bulk_create(
        [Membership(user=admin, role=Role.NETWORK_ADMIN, network=gen.network)]
        + [Membership(user=u, role=Role.CLUSTER_COORDINATOR, cluster=c)
           for u, c in zip(coordinators, gen.clusters, strict=True)]
        + [Membership(user=gen.managers[a.pk], role=Role.MANAGER, authority=a) for a in gen.authorities],
        batch_size=BATCH,
    )


def _emergency_fields(gen: Generation, kind=None) -> dict:
    kind = kind or gen.rng.choice(list(EMERGENCY_NAMES))
    return {"kind": kind, "name": gen.rng.choice(EMERGENCY_NAMES[kind]), "area": gen.rng.choice(AREAS),
            "severity": gen.rng.choice(Severity.values)}


def emergencies(gen: Generation):
    """Open emergencies for most authorities (some shared by a cluster), closed ones with lessons for some."""
    rng = gen.rng
    # Each cluster has one shared event the network opened for several of its authorities together.
    shared = {}
    for cluster in gen.clusters:
        fields = _emergency_fields(gen, rng.choice([EmergencyKind.WAR, EmergencyKind.ROCKETS,
                                                    EmergencyKind.EVACUATION, EmergencyKind.FLOOD]))
        shared[cluster.pk] = {**fields, "started_on": gen.today - timedelta(days=rng.randint(7, 60)),
                              "group": uuid.UUID(int=rng.getrandbits(128), version=4)}
    open_ones = []
    for authority in rng.sample(gen.authorities, round(OPEN_SHARE * gen.size)):
        if rng.random() < 0.6:
            fields = dict(shared[authority.cluster_id])
        else:
            fields = {**_emergency_fields(gen), "started_on": gen.today - timedelta(days=rng.randint(3, 90))}
        open_ones.append(Emergency(authority=authority, phase=rng.choice(OPEN_PHASES),
                                   created_by=gen.managers[authority.pk], **fields))
    closed = []
    for authority in rng.sample(gen.authorities, max(1, round(CLOSED_SHARE * gen.size))):
        for _ in range(1 if rng.random() < 0.75 else 2):
            started = gen.today - timedelta(days=rng.randint(120, 900))
            closed.append(Emergency(
                authority=authority, phase=Phase.CLOSED, created_by=gen.managers[authority.pk],
                started_on=started, closed_at=gen.when(started + timedelta(days=rng.randint(5, 60)), 17),
                lessons="\n".join(rng.sample(LESSONS, rng.randint(1, 3))), **_emergency_fields(gen),
            ))
    everything = _by_history(open_ones + closed, lambda e: (gen.when(e.started_on), e.created_by))
    bulk_create_with_history(everything, Emergency, batch_size=BATCH)
    gen.open_emergencies, gen.closed_emergencies = open_ones, closed


def _round_plans(gen: Generation, emergency: Emergency, checkable: list[ChecklistItem], count: int, end: datetime):
    """Rounds of one emergency and their answers, as start_round leaves them: each round starts from
    the previous answers (carried over) and confirms, advances and adds some."""
    rng = gen.rng
    start = gen.when(emergency.started_on, 9)
    span = (end - start) / count
    plans, answers = [], {}
    for index in range(count):
        begins = start + span * index
        ends = start + span * (index + 1)

        def moment(_begins=begins, _ends=ends):
            return _begins + (_ends - _begins) * rng.random() * 0.9

        carried = {}
        for item_id, previous in answers.items():
            if rng.random() < 0.5:
                status = previous["status"]
                if rng.random() < 0.5:
                    status = ADVANCE.get(status, status)
                carried[item_id] = {**previous, "status": status, "answered_at": moment(), "carried_over": False}
            else:
                carried[item_id] = {**previous, "carried_over": True}
        unanswered = [item for item in checkable if item.pk not in carried]
        fresh = rng.sample(unanswered, min(len(unanswered), rng.randint(5, 30) if index == 0 else rng.randint(0, 8)))
        for item in fresh:
            carried[item.pk] = {
                "status": rng.choices(list(STATUS_WEIGHTS), weights=list(STATUS_WEIGHTS.values()))[0],
                "note": rng.choice(NOTES) if rng.random() < 0.15 else "", "answered_at": moment(),
                "carried_over": False,
            }
        answers = carried
        label = f"שבוע {index + 1}" if rng.random() < 0.5 else ""
        plans.append((Round(authority_id=emergency.authority_id, emergency=emergency, number=index + 1, label=label,
                            started_at=begins, started_by=emergency.created_by), answers))
    return plans


def rounds_and_answers(gen: Generation):
    """2–6 rounds for each open emergency, 1–2 for each closed one, with answers to the 40 checkable
    items; the reflection item (1) belongs to the private check-in and is never answered here."""
    checkable = list(ChecklistItem.objects.exclude(kind=ChecklistItem.REFLECTION).order_by("number"))
    plans = []
    for emergency in gen.open_emergencies:
        plans += _round_plans(gen, emergency, checkable, gen.rng.randint(2, 6), gen.now - timedelta(hours=1))
    for emergency in gen.closed_emergencies:
        plans += _round_plans(gen, emergency, checkable, gen.rng.randint(1, 2), emergency.closed_at)
    rounds = _by_history([r for r, _answers in plans], lambda r: (r.started_at, r.started_by))
    bulk_create_with_history(rounds, Round, batch_size=BATCH)
    answers = [
        Answer(authority_id=r.authority_id, round=r, item_id=item_id, status=a["status"], note=a["note"],
               answered_by=r.started_by, answered_at=a["answered_at"], carried_over=a["carried_over"])
        for r, planned in plans for item_id, a in planned.items()
    ]
    _by_history(answers, lambda a: (a.round.started_at if a.carried_over else a.answered_at, a.answered_by))
    bulk_create_with_history(answers, Answer, batch_size=BATCH)


def checkins(gen: Generation):
    """Private check-ins for about half of the managers in an open emergency (no history by design)."""
    rng = gen.rng
    entries = []
    for emergency in gen.open_emergencies:
        if rng.random() < 0.5:
            continue
        for _ in range(rng.randint(1, 4)):
            entries.append(CheckIn(
                author=emergency.created_by, authority_id=emergency.authority_id, emergency=emergency,
                created_at=gen.now - timedelta(hours=rng.randint(1, 24 * 14)), feeling=rng.choice(FEELINGS),
                stability=rng.randint(1, 5), team_readiness=rng.choice(["", "R1", "R2", "R3", "R4"]),
            ))
    CheckIn.objects.bulk_create(entries, batch_size=BATCH)


STEPS = [network_and_clusters, authorities, sign_ins, emergencies, rounds_and_answers, checkins]


def all_steps():
    """The foundation's steps, then each register app's own `national.STEPS`, in dependency order."""
    import importlib

    steps = list(STEPS)
    for app in REGISTER_APPS:
        try:
            module = importlib.import_module(f"hosen.{app}.national")
        except ModuleNotFoundError as missing:
            if missing.name not in (f"hosen.{app}", f"hosen.{app}.national"):
                raise
            continue
        steps += module.STEPS
    return steps


# Apps whose registers the generator fills, in the order their rows depend on each other.
REGISTER_APPS = ["field", "resources", "plan", "situation", "partners", "initiatives"]


# ---- running, counting, removing ----------------------------------------------------------------


def exists() -> bool:
    return Network.objects.filter(slug=NETWORK_SLUG).exists()


@transaction.atomic
def generate(size: int = 260, seed: int = 1, password: str = DEFAULT_PASSWORD) -> dict[str, int] | None:
    """Create the national network once; returns its counts, or None when it is already there."""
    if exists():
        return None
    if not ChecklistItem.objects.exists():
        raise ValueError("The model content is not loaded: run `python manage.py load_model_content` first")
    now = timezone.now()
    gen = Generation(size=size, rng=random.Random(seed), password_hash=make_password(password),
                     now=now, today=timezone.localdate(now))
    with scopes_disabled():
        for step in all_steps():
            step(gen)
    return counts()


def _generated_users():
    return User.objects.filter(Q(email__endswith=f"@{EMAIL_DOMAIN}") | Q(email=ADMIN_EMAIL))


def counts() -> dict[str, int]:
    """Rows of the national network, per model, with the audit history rows of each tenant model."""
    ids = Authority.objects.filter(cluster__network__slug=NETWORK_SLUG).values("pk")
    result = Counter({
        "clusters": Cluster.objects.filter(network__slug=NETWORK_SLUG).count(),
        "authorities": Authority.objects.filter(cluster__network__slug=NETWORK_SLUG).count(),
        "users": _generated_users().count(),
        "memberships": Membership.objects.filter(user__in=_generated_users()).count(),
    })
    with scopes_disabled():
        for model in tenant_models():
            name = model._meta.label_lower
            result[name] = model.objects.filter(authority_id__in=ids).count()
            result[f"{name} (history)"] = model.history.model.objects.filter(authority_id__in=ids).count()
        result["check-ins"] = CheckIn.objects.filter(authority_id__in=ids).count()
    return dict(result)


@transaction.atomic
def delete() -> bool:
    """Remove the national network, its authorities' records and history, and its users."""
    network = Network.objects.filter(slug=NETWORK_SLUG).first()
    if network is None:
        return False
    ids = list(Authority.objects.filter(cluster__network=network).values_list("pk", flat=True))
    # The history goes with the data, so no deletion rows are worth writing for it.
    with scopes_disabled(), override_settings(SIMPLE_HISTORY_ENABLED=False):
        for model in tenant_models():
            model.history.model.objects.filter(authority_id__in=ids).delete()
        Authority.objects.filter(pk__in=ids).delete()
        Cluster.objects.filter(network=network).delete()
        network.delete()
        _generated_users().delete()
    return True
