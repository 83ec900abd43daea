import os
import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Create or update the demo superuser `demo` (password from DEMO_PASSWORD, else generated)."

    def handle(self, *args, **options):
        password = os.environ.get("DEMO_PASSWORD") or self._stored_or_new_password()
        user, created = get_user_model().objects.get_or_create(username="demo")
        user.is_staff = user.is_superuser = user.is_active = True
        user.set_password(password)
        user.save()
        verb = "Created" if created else "Updated"
        self.stdout.write(self.style.SUCCESS(f"{verb} demo superuser: username 'demo', password '{password}'"))

    def _stored_or_new_password(self) -> str:
        path = settings.VAR_DIR / "demo-password"
        if path.exists():
            return path.read_text().strip()
        password = secrets.token_urlsafe(12)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(password)
        path.chmod(0o600)
        return password
