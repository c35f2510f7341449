from django.core.management.base import BaseCommand

from surveys.services.demo import DEMO_PASSWORD, load_demo


class Command(BaseCommand):
    help = "Load the invented example of the product doc (idempotent) and the demo users."

    def add_arguments(self, parser):
        parser.add_argument("--no-users", action="store_true", help="Do not set demo passwords.")

    def handle(self, *args, no_users=False, **options):
        loaded = load_demo(with_users=not no_users)
        self.stdout.write(f"Demo: {len(loaded['sites'])} sites, {len(loaded['claims'])} claims, "
                          f"{len(loaded['visits'])} visits.")
        if not no_users:
            for name in loaded["users"]:
                self.stdout.write(f"  user {name} / password {DEMO_PASSWORD}")
