"""The people of the sign-in load test, added to a generated national network (see bench/signin.py).

    DJANGO_SETTINGS_MODULE=hosen.settings python bench/signin_data.py OUT.json --managers 180 --links 20

`generate_national` gives every authority one manager; a morning at national scale has several per
authority (the head of the ecosystem, her deputies, the coordinators of the municipality's departments).
This adds managers until there are `--managers` of them, spread evenly over the authorities (an authority
holding 4 or 5), all with the generated users' password; gives each an authenticator app (TOTP) with its
own secret when two-step sign-in exists (hosen/accounts/two_step.py), as managers must use it; opens
`--links` quick-report links in the open emergencies, half for one site and half for all of an
authority's sites; and adds `--warmup` more managers, outside the morning's count, who warm the server up
before it is measured. It writes what the load test needs to OUT.json: accounts, password, TOTP secrets,
authority slugs, whether each authority has an open emergency, and the links' tokens.

Run it once on a fresh database (bench/signin.py does): it refuses when the network already has its
managers, so that a second run cannot double them.
"""

import argparse
import base64
import hashlib
import json
import os
import sys
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def totp_secret(email: str) -> str:
    """A fixed base32 secret per account, so that a rerun of the load test against the same data finds it."""
    return base64.b32encode(hashlib.sha256(f"hosen-signin-bench:{email}".encode()).digest()[:20]).decode()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("output", help="JSON file for the load test")
    parser.add_argument("--managers", type=int, default=180)
    parser.add_argument("--links", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=9, help="extra managers for warming the server up (9)")
    parser.add_argument("--password", default="hosen-demo", help="the generated users' password")
    parser.add_argument("--no-two-step", action="store_true", help="do not enrol the managers' authenticator apps")
    parser.add_argument("--old-hashes", action="store_true",
                        help="give the managers hashes with Django's default Argon2 parameters (100 MiB, 8 lanes)")
    args = parser.parse_args()

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hosen.settings")
    import django

    django.setup()
    from django.db import transaction
    from django.utils import timezone
    from django_scopes import scopes_disabled

    from hosen.accounts.models import Membership, Role, User
    from hosen.field.models import ReportLink, Site
    from hosen.tenancy import national
    from hosen.tenancy.models import Authority
    from hosen.workmodel.models import Emergency, Phase

    try:
        from hosen.accounts.two_step import enrol_totp
    except ImportError:
        enrol_totp = None
    two_step = enrol_totp is not None and not args.no_two_step

    with scopes_disabled(), transaction.atomic():
        authorities = list(Authority.objects.filter(cluster__network__slug=national.NETWORK_SLUG).order_by("slug"))
        if not authorities:
            raise SystemExit("No national network: run `manage.py generate_national` first")
        managers = {m.authority_id: [m.user] for m in Membership.objects.filter(
            role=Role.MANAGER, authority__in=authorities).select_related("user").order_by("user__email")}
        if sum(len(found) for found in managers.values()) >= args.managers:
            raise SystemExit("The network already has its managers: run on a freshly generated network")
        # The generated users share one hash (made once with the project's hasher): copy it, as hashing the
        # same password 140 more times would only take time.
        password_hash = next(iter(managers.values()))[0].password
        if args.old_hashes:
            # As on the first morning after the hasher changed: every account still holds a hash with Django's
            # default Argon2 parameters, checked at their cost once and replaced at that sign-in.
            from django.contrib.auth.hashers import Argon2PasswordHasher

            old = Argon2PasswordHasher()
            password_hash = old.encode(args.password, old.salt())
            User.objects.filter(pk__in=[m.pk for found in managers.values() for m in found]).update(
                password=password_hash)
        extra = []
        index = 0
        while sum(len(found) for found in managers.values()) + len(extra) < args.managers:
            authority = authorities[index % len(authorities)]
            number = len(managers[authority.pk]) + sum(1 for _user, a in extra if a.pk == authority.pk) + 1
            email = f"manager-{authority.slug.removeprefix('a-')}-{number}@{national.EMAIL_DOMAIN}"
            extra.append((User(email=email, full_name=f"מנהלת {number}", password=password_hash), authority))
            index += 1
        User.objects.bulk_create([user for user, _authority in extra])
        Membership.objects.bulk_create([Membership(user=user, role=Role.MANAGER, authority=authority)
                                        for user, authority in extra])
        for user, authority in extra:
            managers[authority.pk].append(user)

        # A few more, outside the morning's count, to warm the server's workers up before it is measured.
        warmup = [(User(email=f"manager-warmup-{number}@{national.EMAIL_DOMAIN}", full_name=f"מנהלת חימום {number}",
                        password=password_hash), authorities[number % len(authorities)])
                  for number in range(1, args.warmup + 1)]
        User.objects.bulk_create([user for user, _authority in warmup])
        Membership.objects.bulk_create([Membership(user=user, role=Role.MANAGER, authority=authority)
                                        for user, authority in warmup])

        open_emergency = {e.authority_id: e for e in Emergency.objects.filter(
            authority__in=authorities).exclude(phase=Phase.CLOSED).order_by("authority_id", "-pk")}

        def account(user, authority):
            secret = totp_secret(user.email) if two_step else None
            if two_step:
                enrol_totp(user, secret, recovery_codes=False)
            return {"email": user.email, "slug": authority.slug, "secret": secret,
                    "open_emergency": authority.pk in open_emergency}

        accounts = [account(user, authority) for authority in authorities for user in managers[authority.pk]]
        warmup_accounts = [account(user, authority) for user, authority in warmup]

        links = []
        in_emergency = [a for a in authorities if a.pk in open_emergency]
        expires = timezone.now() + timedelta(days=7)
        for number in range(args.links):
            authority = in_emergency[number % len(in_emergency)]
            site = None
            if number % 2 == 0:
                site = Site.objects.filter(authority=authority, is_active=True).order_by("pk")[number // 2 % 5]
            link = ReportLink.objects.create(
                authority=authority, emergency=open_emergency[authority.pk], site=site, expires_at=expires,
                label=f"דיווח מהשטח {number + 1}", created_by=managers[authority.pk][0])
            links.append({"token": link.token, "slug": authority.slug, "one_site": site is not None})

    Path(args.output).write_text(json.dumps({
        "password": args.password, "two_step": two_step, "managers": accounts, "links": links,
        "warmup_managers": warmup_accounts, "old_hashes": args.old_hashes,
        "authorities": len(authorities), "authorities_in_open_emergency": len(in_emergency),
    }, indent=1, ensure_ascii=False))
    print(("Old password hashes (Django's default Argon2 parameters). " if args.old_hashes else "")
          + f"{len(accounts)} managers in {len(authorities)} authorities ({len(in_emergency)} in an open emergency), "
          f"{len(links)} quick-report links; two-step sign-in {'enrolled' if two_step else 'not enrolled'}.")


if __name__ == "__main__":
    main()
