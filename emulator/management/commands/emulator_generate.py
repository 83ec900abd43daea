import time

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Write N synthetic DICOM instances (fresh UIDs, ~40 KB CT each) into an emulator bucket."

    def add_arguments(self, parser):
        parser.add_argument("--instances", type=int, required=True, help="how many instances to write")
        parser.add_argument("--bucket", required=True, help="bucket name (created when missing)")
        parser.add_argument("--prefix", default="", help="object name prefix, e.g. synthetic/run1/")
        parser.add_argument("--project", default="demo-project", help="project owning a new bucket")
        parser.add_argument("--studies", type=int, default=None, help="number of studies (default: N/100)")
        parser.add_argument("--series-per-study", type=int, default=2)
        parser.add_argument("--template", default=None, help="template DICOM file (default: pydicom's CT_small.dcm)")

    def handle(self, *args, instances, bucket, prefix, project, studies, series_per_study, template, **options):
        from emulator.storage import service as storage
        from emulator.synthetic import generate_instances
        from emulator.wire import ApiError

        if instances < 1:
            raise CommandError("--instances must be at least 1")
        try:
            storage.bucket_create(project_id=project, name=bucket)
            started = time.monotonic()
            count = size = 0
            for name, data in generate_instances(instances, template=template, studies=studies,
                                                 series_per_study=series_per_study):
                storage.object_write(bucket, prefix + name, data, content_type="application/dicom")
                count += 1
                size += len(data)
        except (ApiError, FileNotFoundError, ValueError) as exc:
            raise CommandError(str(exc)) from None
        elapsed = max(time.monotonic() - started, 1e-9)
        self.stdout.write(
            f"Wrote {count} instances ({size / 1e6:.1f} MB) to gs://{bucket}/{prefix} in {elapsed:.1f} s "
            f"({count / elapsed:.0f} instances/s)."
        )
