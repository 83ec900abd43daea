"""Every file type and transfer syntax the Export page offers makes a mimeType the emulator's export accepts.

The API lists a few syntaxes no installed encoder writes (JPEG XL, HTJ2K, deflated frames): the emulator
refuses those at submission with a message naming what it supports, and the page shows that message.
"""

import pytest

from console.choices import FILE_TYPES, mime_type_for, syntax_choices
from gcp import errors, healthcare
from gcp.session import get_session

NOT_IN_THE_EMULATOR = {
    "1.2.840.10008.1.2.4.110", "1.2.840.10008.1.2.4.111", "1.2.840.10008.1.2.4.112",
    "1.2.840.10008.1.2.4.201", "1.2.840.10008.1.2.4.202", "1.2.840.10008.1.2.4.203", "1.2.840.10008.1.2.8.1",
}
OFFERED = [(ft, uid) for ft in FILE_TYPES for uid, _label in (syntax_choices(ft) or [("", "")])]


@pytest.mark.django_db
def test_the_emulator_accepts_each_offered_format_or_names_what_it_supports(cloud):
    session = get_session()
    accepted, refused = [], []
    for file_type, uid in OFFERED:
        mime_type = mime_type_for(file_type, uid)
        try:
            healthcare.export_dicom(session, store_name=cloud.store_name, uri_prefix=f"gs://{cloud.bucket}/fmt",
                                    mime_type=mime_type)
        except errors.InvalidArgument as exc:
            assert "supports" in str(exc)
            refused.append(uid)
        else:
            accepted.append(mime_type)

    assert set(refused) == NOT_IN_THE_EMULATOR
    assert "image/png" in accepted and "application/dicom; transfer-syntax=*" in accepted
    assert len(accepted) == len(OFFERED) - len(NOT_IN_THE_EMULATOR)
