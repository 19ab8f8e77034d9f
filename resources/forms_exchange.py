"""Forms of MS Project XML exchange: a file, and for a new project its code and name."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

ACCEPT = ".xml,application/xml,text/xml"


class MspdiImportForm(forms.Form):
    file = forms.FileField(
        label=_("MS Project XML file"),
        help_text=_("Saved from MS Project as “XML Format (*.xml)”, or exported from ProjectLibre."),
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
    )


class MspdiNewProjectForm(MspdiImportForm):
    code = forms.CharField(label=_("Project code"), max_length=32, help_text=_("Unique in the organisation."))
    name = forms.CharField(label=_("Name"), max_length=200, required=False, help_text=_("Empty: the file's title."))

    field_order = ["code", "name", "file"]
