"""Forms of the console pages: they parse and check input; services do the work."""

import re

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from gcp.wildcards import WildcardError, check_bucket, check_import_uri, split_uri

from .choices import AS_STORED, FILE_TYPES, STORAGE_CLASSES, TRANSFER_SYNTAXES, file_type_choices, syntax_choices

PROJECT_RE = re.compile(r"^[a-z0-9][a-z0-9.:-]{0,62}$")
RESOURCE_ID_RE = re.compile(r"^[\w.-]{1,256}$")
UID = r"[0-9]+(?:\.[0-9]+)*"
FILTER_LINE_RE = re.compile(rf"^/studies/({UID})(?:/series/({UID})(?:/instances/({UID}))?)?$")


def _project_field() -> forms.CharField:
    return forms.CharField(label=gettext_lazy("Project"), max_length=63, required=True)


def clean_project(value: str) -> str:
    value = value.strip()
    if not PROJECT_RE.match(value):
        raise forms.ValidationError(_("Enter a project ID such as my-project-123 (lowercase letters, digits, dashes)."))
    return value


class ProjectLocationForm(forms.Form):
    project = _project_field()
    location = forms.CharField(label=pgettext_lazy("region", "Location"), max_length=63)

    def clean_project(self):
        return clean_project(self.cleaned_data["project"])

    def clean_location(self):
        value = self.cleaned_data["location"].strip()
        if not re.match(r"^[a-z0-9-]{1,63}$", value):
            raise forms.ValidationError(_("Enter a location such as us-central1."))
        return value


class DatasetCreateForm(forms.Form):
    dataset_id = forms.CharField(label=gettext_lazy("Dataset ID"), max_length=256)
    time_zone = forms.CharField(label=gettext_lazy("Time zone"), max_length=64, required=False, initial="UTC")

    def clean_dataset_id(self):
        value = self.cleaned_data["dataset_id"].strip()
        if not RESOURCE_ID_RE.match(value):
            raise forms.ValidationError(_("Use letters, digits, underscores, dashes and dots only."))
        return value


class StoreCreateForm(forms.Form):
    store_id = forms.CharField(label=gettext_lazy("Data store ID"), max_length=256)

    def clean_store_id(self):
        value = self.cleaned_data["store_id"].strip()
        if not RESOURCE_ID_RE.match(value):
            raise forms.ValidationError(_("Use letters, digits, underscores, dashes and dots only."))
        return value


def _bucket_and_path(text: str, *, field: str) -> tuple[str, str]:
    """Split a picker value (`bucket/folder/` or `gs://bucket/folder`); no wildcards allowed."""
    try:
        bucket, path = split_uri(text)
        if any(ch in path for ch in "*?"):
            if field == "import":
                raise WildcardError(
                    _("Wildcards are only accepted in Override Cloud Storage path (under Advanced options).")
                )
            raise WildcardError(_("The destination is a folder: it cannot contain * or ?."))
        check_bucket(bucket)
    except WildcardError as exc:
        raise forms.ValidationError(str(exc)) from None
    if "//" in path:
        raise forms.ValidationError(_("Folder names cannot be empty (the path contains //)."))
    return bucket, path


class ImportForm(forms.Form):
    project = _project_field()
    location = forms.CharField(
        label=gettext_lazy("Location"), required=False, max_length=1100,
        help_text=gettext_lazy("A bucket or a folder: every file in it and its sub-folders is imported."),
    )
    override = forms.BooleanField(label=gettext_lazy("Override Cloud Storage path"), required=False)
    override_path = forms.CharField(
        label=gettext_lazy("Location"), required=False, max_length=1100,
        help_text=gettext_lazy("gs://bucket/path or bucket/path. Wildcards: * (within a folder), ** (across "
                               "folders, only at the end, e.g. folder/**.dcm), ? (one character)."),
    )
    storage_class = forms.ChoiceField(
        label=gettext_lazy("Storage class"), choices=[(key, label) for key, label, _hint in STORAGE_CLASSES],
        initial="STANDARD", widget=forms.RadioSelect,
    )

    def clean_project(self):
        return clean_project(self.cleaned_data["project"])

    def clean(self):
        data = super().clean()
        if data.get("override"):
            try:
                self.import_uri = check_import_uri(data.get("override_path", ""))
            except WildcardError as exc:
                self.add_error("override_path", str(exc))
            return data
        location = (data.get("location") or "").strip()
        if not location:
            self.add_error("location", _("Choose a bucket or folder to import from."))
            return data
        try:
            bucket, path = _bucket_and_path(location, field="import")
        except forms.ValidationError as exc:
            self.add_error("location", exc)
            return data
        # A folder (or a whole bucket) means every object below it; a file name means just that file.
        pattern = path + "**" if (not path or path.endswith("/")) else path
        self.import_uri = check_import_uri(f"gs://{bucket}/{pattern}")
        return data

    @property
    def gcs_uri(self) -> str:
        return self.import_uri.uri


class ExportForm(forms.Form):
    project = _project_field()
    location = forms.CharField(
        label=gettext_lazy("Location"), max_length=1100,
        help_text=gettext_lazy("A bucket and folder to write to, e.g. my-bucket/exports/2024. A new folder name "
                               "is allowed: it is created by the export."),
    )
    file_type = forms.ChoiceField(
        label=gettext_lazy("File type"), choices=file_type_choices, initial="dicom", widget=forms.RadioSelect
    )
    transfer_syntax = forms.ChoiceField(
        label=gettext_lazy("Transfer syntax"), required=False, initial=AS_STORED,
        choices=list(TRANSFER_SYNTAXES.items()),
    )
    filter_uri = forms.CharField(
        label=gettext_lazy("Filter file"), required=False, max_length=1100,
        help_text=gettext_lazy("Optional: gs:// URI of an existing file listing /studies/… paths, one per line."),
    )
    filter_paths = forms.CharField(
        label=gettext_lazy("Studies and series to export"), required=False, widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("Optional: pick them in Browse, or enter /studies/UID[/series/UID[/instances/UID]] "
                               "paths, one per line. The console writes them to a filter file in the destination "
                               "bucket."),
    )

    def clean_project(self):
        return clean_project(self.cleaned_data["project"])

    def clean_location(self):
        bucket, path = _bucket_and_path(self.cleaned_data["location"], field="export")
        self.bucket, self.folder = bucket, path.strip("/")
        return self.cleaned_data["location"].strip()

    def clean_filter_uri(self):
        value = self.cleaned_data["filter_uri"].strip()
        if not value:
            return ""
        if not value.startswith("gs://"):
            raise forms.ValidationError(_("The filter file must be a gs://bucket/path URI."))
        bucket, path = _bucket_and_path(value, field="export")
        if not path or path.endswith("/"):
            raise forms.ValidationError(_("The filter file must name a file, not a bucket or folder."))
        return f"gs://{bucket}/{path}"

    def clean_filter_paths(self):
        paths = []
        for number, line in enumerate(self.cleaned_data["filter_paths"].splitlines(), start=1):
            line = line.strip()
            if not line:
                continue
            if not FILTER_LINE_RE.match(line):
                raise forms.ValidationError(
                    _("Line %(number)d (“%(line)s”) is not a /studies/UID[/series/UID[/instances/UID]] path.")
                    % {"number": number, "line": line[:120]}
                )
            paths.append(line)
        return list(dict.fromkeys(paths))

    def clean(self):
        data = super().clean()
        file_type = data.get("file_type")
        if file_type:
            allowed = dict(syntax_choices(file_type))
            syntax = data.get("transfer_syntax") or ""
            if not allowed:
                data["transfer_syntax"] = ""
            elif not syntax:
                data["transfer_syntax"] = next(iter(allowed))
            elif syntax not in allowed:
                message = _("%(syntax)s cannot be used with %(type)s. Choose one of: %(allowed)s.") % {
                    "syntax": TRANSFER_SYNTAXES.get(syntax, syntax),
                    "type": FILE_TYPES[file_type][0],
                    "allowed": ", ".join(str(label) for label in allowed.values()),
                }
                self.add_error("transfer_syntax", message)
        if data.get("filter_uri") and data.get("filter_paths"):
            self.add_error("filter_uri", _("Use either a filter file or picked studies and series, not both."))
        return data

    @property
    def uri_prefix(self) -> str:
        return f"gs://{self.bucket}/{self.folder}" if self.folder else f"gs://{self.bucket}"


class StudySearchForm(forms.Form):
    patient_name = forms.CharField(label=gettext_lazy("Patient name"), required=False, max_length=64)
    patient_id = forms.CharField(label=gettext_lazy("Patient ID"), required=False, max_length=64)

    def qido_params(self) -> dict:
        """Return QIDO-RS matching parameters: names match word prefixes (fuzzy), IDs match a prefix."""
        data = self.cleaned_data if self.is_valid() else {}
        params: dict = {}
        if data.get("patient_name", "").strip():
            params.update({"PatientName": data["patient_name"].strip(), "fuzzymatching": "true"})
        if data.get("patient_id", "").strip():
            params["PatientID"] = data["patient_id"].strip().rstrip("*") + "*"
        return params
