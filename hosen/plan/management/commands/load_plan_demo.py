from django.core.management.base import BaseCommand

from hosen.plan.demo import load_plan_demo


class Command(BaseCommand):
    help = ("Add a demo work plan (activities, decisions, new responses) and a KPI set with values to the demo "
            "authority. Run after load_demo and load_kpi_templates. Safe to re-run: does nothing once there.")

    def handle(self, *args, **options):
        if load_plan_demo():
            self.stdout.write(self.style.SUCCESS("Demo work plan and KPIs loaded."))
        else:
            self.stdout.write("The demo work plan is already there (or the demo authority is missing); "
                              "nothing changed.")
