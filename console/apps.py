from django.apps import AppConfig


class ConsoleConfig(AppConfig):
    name = "console"
    label = "console"
    verbose_name = "Console"

    def ready(self):
        from . import checks  # noqa: F401 - registers the system checks
