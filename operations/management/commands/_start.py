"""The shared part of dicom_import and dicom_export."""

from django.core.management.base import BaseCommand, CommandError

from gcp import errors as gcp_errors
from operations import cli, services


class StartCommand(BaseCommand):
    kind = ""

    def add_common_arguments(self, parser):
        parser.add_argument("store_name", help="projects/P/locations/L/datasets/D/dicomStores/S")
        parser.add_argument("--api-version", default="v1", choices=["v1", "v1beta1"])
        parser.add_argument("--user", default="", help="username recorded as the one who started it")
        parser.add_argument("--wait", action="store_true", help="poll until done, printing a progress line")
        parser.add_argument("--interval", type=float, default=2.0, help="seconds between polls with --wait")
        parser.add_argument("--timeout", type=float, default=0, help="give up waiting after this many seconds")

    def start(self, options, params: dict):
        try:
            operation = services.operation_start(
                kind=self.kind,
                store_name=options["store_name"],
                params=params,
                user=cli.resolve_user(options["user"]),
                api_version=options["api_version"],
            )
        except (ValueError, gcp_errors.ApiError) as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(operation.name)
        if options["wait"]:
            operation = cli.wait(
                operation, write=self.stdout.write, interval=options["interval"], timeout=options["timeout"]
            )
            cli.exit_for(operation)
