"""The console pages and their messages in German, with the Cloud Console's wording."""

import pytest
from django.utils import translation

from gcp.wildcards import WildcardError, check_import_uri

STORE = "/projects/p1/locations/us-central1/datasets/d1/dicomStores/s1"


@pytest.mark.django_db
def test_the_import_and_export_pages_use_the_console_wording_in_german(client, starter):
    client.force_login(starter)

    # override() restores the thread's language afterwards: LocaleMiddleware leaves German active otherwise.
    with translation.override("en"):
        import_page = client.get(f"{STORE}/import", HTTP_ACCEPT_LANGUAGE="de").content.decode()
        export_page = client.get(f"{STORE}/export", HTTP_ACCEPT_LANGUAGE="de").content.decode()

    for label in ("Importieren", "Cloud Storage-Pfad überschreiben", "Speicherklasse", "Erweiterte Optionen"):
        assert label in import_page
    for label in ("Exportieren", "Dateityp", "Übertragungssyntax", "Bild (.png)", "JPEG 2000 verlustfrei"):
        assert label in export_page


def test_the_wildcard_rules_speak_german():
    with translation.override("de"), pytest.raises(WildcardError) as excinfo:
        check_import_uri("gs://b/dir/**/x.dcm")

    assert str(excinfo.value).startswith("** muss am Ende des Pfads stehen")
