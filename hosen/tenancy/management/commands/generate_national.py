import time

from django.core.management.base import BaseCommand, CommandError

from hosen.tenancy import national


class Command(BaseCommand):
    help = ("Generate a national-scale network of invented authorities (slug 'national') for benchmarks: "
            "clusters, authorities, their managers, emergencies, checklist rounds and answers, with audit "
            "history. Needs the model content (load_model_content). Safe to re-run: an existing national "
            "network is left alone unless --reset.")

    def add_arguments(self, parser):
        parser.add_argument("--authorities", type=int, default=260, help="how many authorities (default 260)")
        parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
        parser.add_argument("--password", default=national.DEFAULT_PASSWORD,
                            help="password of every generated user (default %(default)s)")
        parser.add_argument("--reset", action="store_true", help="delete the national network first")

    def handle(self, *args, authorities, seed, password, reset, **options):
        if authorities < 1:
            raise CommandError("--authorities must be at least 1")
        if reset and national.delete():
            self.stdout.write("The national network and its users were deleted.")
        started = time.monotonic()
        try:
            result = national.generate(size=authorities, seed=seed, password=password)
        except ValueError as error:
            raise CommandError(str(error)) from error
        generated = result is not None
        if generated:
            self.stdout.write(self.style.SUCCESS(
                f"National network generated in {time.monotonic() - started:.1f} s."))
        else:
            self.stdout.write("The national network already exists; nothing changed (use --reset to rebuild it).")
            result = national.counts()
        for name, count in result.items():
            self.stdout.write(f"  {name:32} {count:>8}")
        self.stdout.write(f"Sign-ins: {national.ADMIN_EMAIL} (network admin), coordinator-01@{national.EMAIL_DOMAIN} "
                          f"(cluster coordinator), manager-001@{national.EMAIL_DOMAIN} (manager of a-001) ...")
        if generated:
            self.stdout.write(f"Password of every generated user: {password}")
