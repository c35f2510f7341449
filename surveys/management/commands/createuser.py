from django.core.management.base import BaseCommand

from surveys.services.users import user_upsert
from surveys.vocab import Role


class Command(BaseCommand):
    help = "Create or update a user with a role (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=[r.value for r in Role])
        parser.add_argument("--password", help="Sets the password; omitted keeps the current one.")

    def handle(self, *args, username, role, password, **options):
        user, created = user_upsert(username=username, role=Role(role), password=password)
        self.stdout.write(f"{'Created' if created else 'Updated'} {user.username} ({role})")
