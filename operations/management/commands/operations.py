import json

from django.core.management.base import BaseCommand, CommandError

from gcp import errors as gcp_errors
from operations import cli, services
from operations.models import Operation


class Command(BaseCommand):
    help = "List, show or cancel tracked long-running operations."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        listing = sub.add_parser("list", help="newest operations first")
        listing.add_argument("--dataset", default="", help="projects/P/locations/L/datasets/D")
        listing.add_argument("--state", default="", choices=["", *Operation.State.values])
        listing.add_argument("--limit", type=int, default=20)
        show = sub.add_parser("show", help="one operation (refreshed from the API when running)")
        show.add_argument("operation", help="full name or operation ID")
        show.add_argument("--json", action="store_true", help="print the last Operation JSON")
        show.add_argument("--wait", action="store_true")
        show.add_argument("--interval", type=float, default=2.0)
        cancel = sub.add_parser("cancel", help="ask the API to cancel a running operation")
        cancel.add_argument("operation", help="full name or operation ID")
        cancel.add_argument("--wait", action="store_true")
        cancel.add_argument("--interval", type=float, default=2.0)

    def handle(self, *args, **options):
        getattr(self, f"handle_{options['action']}")(options)

    def handle_list(self, options):
        queryset = Operation.objects.select_related("started_by").order_by("-create_time", "-id")
        if options["dataset"]:
            parts = options["dataset"].split("/")
            if len(parts) != 6:
                raise CommandError("--dataset must be projects/P/locations/L/datasets/D")
            queryset = queryset.filter(project=parts[1], location=parts[3], dataset=parts[5])
        if options["state"]:
            queryset = queryset.filter(state=options["state"])
        for operation in queryset[: options["limit"]]:
            created = operation.create_time.strftime("%Y-%m-%d %H:%M:%S") if operation.create_time else "-"
            who = operation.started_by.username if operation.started_by else "-"
            self.stdout.write(
                f"{created}  {operation.kind:<6}  {cli.progress_line(operation)}  {operation.store or '-'}  {who}"
            )

    def handle_show(self, options):
        operation = cli.find(options["operation"])
        if operation.is_running:
            operation = self._refresh(operation)
        if options["json"]:
            self.stdout.write(json.dumps(operation.raw, indent=2))
        else:
            for label, value in (
                ("Name", operation.name),
                ("Type", operation.get_kind_display()),
                ("Method", operation.api_method),
                ("Store", operation.store_name or "-"),
                ("URI", operation.uri or "-"),
                ("Created", operation.create_time),
                ("Ended", operation.end_time or "-"),
                ("Logs", operation.logs_url or "-"),
            ):
                self.stdout.write(f"{label + ':':<9}{value}")
            self.stdout.write(cli.progress_line(operation))
        if options["wait"] and operation.is_running:
            operation = cli.wait(operation, write=self.stdout.write, interval=options["interval"])
        cli.exit_for(operation)

    def handle_cancel(self, options):
        operation = cli.find(options["operation"])
        try:
            operation = services.operation_cancel(operation=operation)
        except (ValueError, gcp_errors.ApiError) as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"Cancellation requested: {operation.name}")
        if options["wait"]:
            operation = cli.wait(operation, write=self.stdout.write, interval=options["interval"])
            self.stdout.write(cli.progress_line(operation))

    def _refresh(self, operation):
        try:
            return services.operation_refresh(operation=operation)
        except gcp_errors.ApiError as exc:
            self.stderr.write(f"Could not refresh from the API: {exc}")
            return operation
