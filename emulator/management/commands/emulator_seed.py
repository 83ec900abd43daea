from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Create the emulator's demo data (projects, dataset, DICOM store, buckets with DICOM files). Idempotent."

    def handle(self, *args, **options):
        from emulator.healthcare.seed import seed

        report = seed()
        for what in report.created:
            self.stdout.write(f"created  {what}")
        if report.existing:
            self.stdout.write(f"kept     {len(report.existing)} existing item(s)")
            if options["verbosity"] > 1:
                for what in report.existing:
                    self.stdout.write(f"kept     {what}")
        self.stdout.write(self.style.SUCCESS(f"Demo data ready: {len(report.created)} created, "
                                             f"{len(report.existing)} already there."))
