from celery import Celery

app = Celery("dicomweb_ui")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
