from django.apps import AppConfig


class EmulatorJobsConfig(AppConfig):
    name = "emulator.jobs"
    label = "emulator_jobs"
    verbose_name = "Emulated import/export operations and Cloud Logging"
