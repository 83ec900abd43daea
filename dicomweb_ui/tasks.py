from celery import shared_task


@shared_task(name="dicomweb_ui.ping_task")
def ping_task(value: str) -> str:
    """Answer `pong:<value>`: proves that the broker and a worker are up."""
    return f"pong:{value}"
