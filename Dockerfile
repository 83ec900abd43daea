# One image for web, worker, beat and the emulator.
FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 DJANGO_SETTINGS_MODULE=dicomweb_ui.settings
RUN apt-get update && apt-get install -y --no-install-recommends gettext && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
RUN DEBUG=1 SECRET_KEY=build-only python manage.py compilemessages --ignore=.venv \
 && DEBUG=0 SECRET_KEY=build-only ALLOWED_HOSTS=build python manage.py collectstatic --noinput \
 && useradd --create-home --uid 1000 app && mkdir -p /data && chown app /data
USER app
ENV VAR_DIR=/data
EXPOSE 8000
CMD ["gunicorn", "dicomweb_ui.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
