"""DICOM helpers of the emulator: parsing Part 10 files, DICOM JSON, QIDO matching, rendering."""
