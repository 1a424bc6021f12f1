import importlib

from django.core.management.base import BaseCommand
from django.db import transaction
from django_scopes import scopes_disabled

from hosen.accounts.two_step import REQUIRED_ROLES
from hosen.tenancy.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET, SIGN_INS, enrol_demo_two_step, load_demo

# Each register's demo data, in the order their rows depend on each other: (module, function).
# Each loads once and does nothing when its data is already there.
REGISTER_DEMOS = [
    ("hosen.field.demo", "load"),
    ("hosen.resources.demo", "load"),
    ("hosen.plan.demo", "load_plan_demo"),
    ("hosen.situation.demo", "load"),
    ("hosen.partners.demo", "load"),
    ("hosen.initiatives.demo", "load"),
]


class Command(BaseCommand):
    help = ("Load the demo network, its authorities, the demo sign-ins and every register's demo data, once. "
            "Safe to re-run. Run load_model_content, load_skills and load_kpi_templates first.")

    def handle(self, *args, **options):
        if load_demo():
            self.stdout.write(self.style.SUCCESS("Demo network loaded."))
        else:
            self.stdout.write("Demo network is already loaded.")
        for module_name, function in REGISTER_DEMOS:
            try:
                module = importlib.import_module(module_name)
            except ModuleNotFoundError as missing:
                if missing.name != module_name:
                    raise
                continue
            with scopes_disabled(), transaction.atomic():
                if getattr(module, function)():
                    self.stdout.write(f"  {module_name.split('.')[1]}: demo data loaded")
        enrol_demo_two_step()
        self.stdout.write(f"Demo sign-ins (password: {DEMO_PASSWORD}):")
        for email, _name, role in SIGN_INS:
            two_step = "  + code: python manage.py demo_totp" if role in REQUIRED_ROLES else ""
            self.stdout.write(f"  {email:28} {role.label}{two_step}")
        self.stdout.write(f"Two-step sign-in: add the key {DEMO_TOTP_SECRET} to an authenticator app, "
                          "or run `python manage.py demo_totp` for the current code.")
