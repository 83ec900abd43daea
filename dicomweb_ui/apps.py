from django.apps import AppConfig


class DicomwebUiConfig(AppConfig):
    name = "dicomweb_ui"
    verbose_name = "DICOM import/export console"

    def ready(self):
        from . import checks  # noqa: F401  (registers system checks)
