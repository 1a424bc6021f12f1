"""The demo network that `make run` loads: invented authorities, the six demo sign-ins, one active
emergency with a partly answered checklist, and a closed one with lessons learned."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django_scopes import scopes_disabled

from hosen.accounts.models import Membership, Role, User
from hosen.workmodel import services
from hosen.workmodel.content import content_editors_group
from hosen.workmodel.models import Answer, AnswerStatus, ChecklistItem, EmergencyKind, Phase, Severity

from .models import Authority, Cluster, Network

DEMO_PASSWORD = "hosen-demo"  # noqa: S105  published in the README on purpose
# The demo's network admin, coordinator and managers sign in with two steps, as the real ones must: their
# authenticator app shares this key, published in the README on purpose (`manage.py demo_totp` prints the code).
DEMO_TOTP_SECRET = "HOSENDEMOHOSENDEMOHOSENDEMOHOSEN"  # noqa: S105

AUTHORITIES = [
    # (cluster index, slug, name) — invented places, marked as such
    (0, "neve-hadgama", "נווה הדגמה"),
    (0, "givat-dimyon", "גבעת הדמיון"),
    (1, "kiryat-nisayon", "קריית ניסיון"),
    (1, "ein-dugma", "עין דוגמה"),
]

SIGN_INS = [
    ("network@example.org", "נועה רשתית", Role.NETWORK_ADMIN),
    ("coordinator@example.org", "יעל אשכולי", Role.CLUSTER_COORDINATOR),
    ("manager@example.org", "מירב מנהלת", Role.MANAGER),
    ("team@example.org", "טל צוות", Role.TEAM),
    ("viewer@example.org", "ורד צופה", Role.VIEWER),
    ("manager2@example.org", "סמאח מנהלת", Role.MANAGER),
]

DEMO_ANSWERS = {
    2: (AnswerStatus.DONE, "עברתי לעבוד מהבית, סידור לילדים עם סבתא"),
    3: (AnswerStatus.PARTLY, ""),
    4: (AnswerStatus.PARTLY, "ישיבת צוות יומית בזום, 9:00"),
    5: (AnswerStatus.DONE, ""),
    6: (AnswerStatus.PARTLY, "חסר מידע על 3 גני ילדים"),
    7: (AnswerStatus.DONE, ""),
    9: (AnswerStatus.NOT_YET, ""),
    10: (AnswerStatus.PARTLY, "סקר הורים יוצא מחר"),
    13: (AnswerStatus.DONE, ""),
    15: (AnswerStatus.NOT_YET, ""),
    16: (AnswerStatus.DONE, "קבוצות הווטסאפ של המנהלים"),
    22: (AnswerStatus.PARTLY, ""),
    30: (AnswerStatus.NOT_RELEVANT, "אין מרחבים ממוגנים פנויים ברשות"),
    33: (AnswerStatus.NOT_YET, ""),
    38: (AnswerStatus.DONE, "עדכון יומי למנהלת אגף החינוך"),
}


@transaction.atomic
def load_demo() -> bool:
    """Create the demo network once; returns False when it is already there."""
    if Network.objects.filter(slug="demo").exists():
        return False
    network = Network.objects.create(name="רשת חוסן — הדגמה", slug="demo")
    clusters = [Cluster.objects.create(network=network, name="אשכול הצפון (הדגמה)"),
                Cluster.objects.create(network=network, name="אשכול המרכז (הדגמה)")]
    authorities = [Authority.objects.create(cluster=clusters[c], slug=slug, name=name) for c, slug, name in AUTHORITIES]

    users = {}
    for email, name, _role in SIGN_INS:
        users[email] = User.objects.create_user(email, DEMO_PASSWORD, full_name=name)
    Membership.objects.create(user=users["network@example.org"], role=Role.NETWORK_ADMIN, network=network)
    # The network admin edits the model's texts in the admin (/admin/), and only those.
    users["network@example.org"].is_staff = True
    users["network@example.org"].save(update_fields=["is_staff"])
    users["network@example.org"].groups.add(content_editors_group())
    Membership.objects.create(user=users["coordinator@example.org"], role=Role.CLUSTER_COORDINATOR, cluster=clusters[0])
    for email, role in [("manager@example.org", Role.MANAGER), ("team@example.org", Role.TEAM),
                        ("viewer@example.org", Role.VIEWER)]:
        Membership.objects.create(user=users[email], role=role, authority=authorities[0])
    Membership.objects.create(user=users["manager2@example.org"], role=Role.MANAGER, authority=authorities[2])

    with scopes_disabled():
        _demo_emergencies(authorities, users)
    enrol_demo_two_step()
    return True


def enrol_demo_two_step() -> list[str]:
    """The demo sign-ins whose role needs two-step sign-in get the demo's authenticator key, unless they have an
    authenticator app already; returns the e-mails enrolled now. Safe to re-run (a demo loaded before two-step
    sign-in existed gets it)."""
    from allauth.mfa.models import Authenticator

    from hosen.accounts.two_step import REQUIRED_ROLES, enrol_totp

    enrolled = []
    for email, _name, role in SIGN_INS:
        user = User.objects.filter(email=email).first()
        if role in REQUIRED_ROLES and user and not Authenticator.objects.filter(
                user=user, type=Authenticator.Type.TOTP).exists():
            enrol_totp(user, DEMO_TOTP_SECRET)
            enrolled.append(email)
    return enrolled


def _demo_emergencies(authorities, users):
    manager, team = users["manager@example.org"], users["team@example.org"]
    today = timezone.localdate()
    emergency = services.open_emergency(
        authorities[0], manager, name="מלחמה — ירי רקטות בצפון", kind=EmergencyKind.WAR,
        started_on=today - timedelta(days=12), area="כל הרשות, בעיקר השכונות המזרחיות",
        severity=Severity.HIGH, phase=Phase.ACTIVE,
    )
    first = emergency.rounds.get(number=1)
    items = {i.number: i for i in ChecklistItem.objects.all()}
    answered_at = timezone.now() - timedelta(days=7)
    for number, (status, note) in DEMO_ANSWERS.items():
        if number in (9, 10, 15):
            status = AnswerStatus.NOT_YET
        Answer.objects.create(authority=authorities[0], round=first, item=items[number], status=status,
                              note=note, answered_by=manager if number < 12 else team, answered_at=answered_at)
    second = services.start_round(emergency, manager, label="שבוע 2")
    for number in (9, 10, 15):
        status, note = DEMO_ANSWERS[number]
        Answer.objects.filter(round=second, item=items[number]).update(status=status, note=note, carried_over=False,
                                                                       answered_by=team, answered_at=timezone.now())

    past = services.open_emergency(
        authorities[2], users["manager2@example.org"], name="שריפה ביער הסמוך", kind=EmergencyKind.FIRE,
        started_on=today - timedelta(days=200), area="השכונה המערבית", severity=Severity.MEDIUM,
    )
    services.close_emergency(past, "רשימת טלפונים מעודכנת של מנהלי בתי הספר חסכה שעות ביום הראשון.\n"
                                   "לפתוח קבוצת עדכונים אחת להורים ולא חמש.\n"
                                   "להחזיק מלאי של 30 מחשבים ניידים להשאלה.")
