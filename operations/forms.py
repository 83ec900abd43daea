"""Forms of the operations pages: the list filters."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Operation

WHO_ME = "me"
WHO_OUTSIDE = "outside"


class OperationFilterForm(forms.Form):
    """Filters of the Operations tab and the global page; every field is optional."""

    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any status")), *Operation.State.choices]
    )
    kind = forms.ChoiceField(label=_("Type"), required=False, choices=[("", _("Any type")), *Operation.Kind.choices])
    store = forms.CharField(label=_("Store"), required=False, max_length=256)
    who = forms.CharField(
        label=_("Started by"),
        required=False,
        max_length=150,
        help_text=_('A username, "me", or "outside" for operations started outside this console.'),
    )
    dataset = forms.CharField(label=_("Dataset"), required=False, max_length=256)
