from django.apps import AppConfig


class EmulatorStorageConfig(AppConfig):
    name = "emulator.storage"
    label = "emulator_storage"
    verbose_name = "Emulated Cloud Storage and Resource Manager"
