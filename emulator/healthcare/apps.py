from django.apps import AppConfig


class EmulatorHealthcareConfig(AppConfig):
    name = "emulator.healthcare"
    label = "emulator_healthcare"
    verbose_name = "Emulated Healthcare API and DICOMweb"
