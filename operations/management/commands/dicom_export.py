from operations.management.commands._start import StartCommand


class Command(StartCommand):
    help = "Export a DICOM store to Cloud Storage and track the operation."
    kind = "export"

    def add_arguments(self, parser):
        self.add_common_arguments(parser)
        parser.add_argument("uri_prefix", help="gs://bucket/folder")
        parser.add_argument("--mime-type", default="", help='e.g. "application/dicom; transfer-syntax=*" or image/png')
        parser.add_argument("--filter-uri", default="", help="gs://bucket/filter.txt listing /studies/... paths")

    def handle(self, *args, **options):
        params = {
            "uri_prefix": options["uri_prefix"],
            "mime_type": options["mime_type"],
            "filter_uri": options["filter_uri"],
        }
        self.start(options, params)
