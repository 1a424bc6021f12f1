"""Every user's login address becomes allauth's verified, primary address.

Until now addresses were never verified: accounts came from invitations (the invitee proved the
address by opening the e-mailed link) or from the operators. From now on a new address becomes the
login only after it is verified, so the existing logins are recorded as verified. The same pass
repairs records left half-changed by the unverified e-mail page: a primary address that is not the
user's login loses its primary mark, and an unverified claim on another user's login is dropped.
"""

from django.db import migrations


def mark_logins_verified(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    EmailAddress = apps.get_model("account", "EmailAddress")
    logins = {}
    for user_id, email in User.objects.exclude(email="").values_list("pk", "email").iterator():
        logins[email.lower()] = user_id
    # An unverified address another user typed is no claim on someone's login.
    for address in EmailAddress.objects.filter(verified=False).only("pk", "email", "user_id").iterator():
        owner = logins.get(address.email.lower())
        if owner is not None and owner != address.user_id:
            address.delete()
    for email, user_id in logins.items():
        if EmailAddress.objects.filter(email__iexact=email, verified=True).exclude(user_id=user_id).exists():
            continue  # someone else verified it; leave both as they are rather than guess
        EmailAddress.objects.filter(user_id=user_id, primary=True).exclude(email__iexact=email).update(primary=False)
        address = EmailAddress.objects.filter(user_id=user_id, email__iexact=email).first()
        if address is None:
            EmailAddress.objects.create(user_id=user_id, email=email, verified=True, primary=True)
        else:
            EmailAddress.objects.filter(pk=address.pk).update(email=email, verified=True, primary=True)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_two_step"),
        ("account", "0009_emailaddress_unique_primary_email"),
    ]

    operations = [migrations.RunPython(mark_logins_verified, migrations.RunPython.noop)]
