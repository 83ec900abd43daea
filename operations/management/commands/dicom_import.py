from operations.management.commands._start import StartCommand


class Command(StartCommand):
    help = "Import DICOM files from Cloud Storage (wildcards allowed) into a DICOM store and track the operation."
    kind = "import"

    def add_arguments(self, parser):
        self.add_common_arguments(parser)
        parser.add_argument("gcs_uri", help="gs://bucket/path/**.dcm")
        parser.add_argument("--storage-class", default="", choices=["", "STANDARD", "NEARLINE", "COLDLINE", "ARCHIVE"])

    def handle(self, *args, **options):
        self.start(options, {"gcs_uri": options["gcs_uri"], "storage_class": options["storage_class"]})
