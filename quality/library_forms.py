"""Forms of the quality library's pages: standards, inspection types, templates with their items, settings.

An item form checks itself with the service's own rules (``library.item_problems``), so the page names
the field that is wrong before anything is written; the service checks again when it writes.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.forms import formset_factory
from django.utils.translation import gettext_lazy as _

from pmo.models import Organization
from projects.models.project import ProjectRole
from quality import rules
from quality.models import (
    ChecklistItem,
    ChecklistTemplate,
    Comparator,
    Discipline,
    InspectionType,
    ItemKind,
    NcMode,
    QualitySettings,
    Severity,
    Standard,
)
from quality.services import library
from quality.services.library import MAX_DUE_DAYS

LIMIT = {"max_digits": 14, "decimal_places": 4, "required": False}
BLANK_COMPARATOR = [("", "—"), *Comparator.choices]


class StandardForm(forms.Form):
    code = forms.CharField(label=_("standard number"), max_length=64, help_text=_("For example GB 50204-2015."))
    title = forms.CharField(label=_("title"), max_length=255)
    clause = forms.CharField(label=_("clause"), max_length=64, required=False)
    notes = forms.CharField(label=_("notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    @classmethod
    def initial_from(cls, standard: Standard) -> dict[str, Any]:
        return {field: getattr(standard, field) for field in library.STANDARD_FIELDS}


class InspectionTypeForm(forms.Form):
    code = forms.SlugField(label=_("code"), max_length=32, help_text=_("Lower-case letters, digits, - and _."))
    name_zh = forms.CharField(label=_("name (Chinese)"), max_length=100, required=False)
    name_en = forms.CharField(label=_("name (English)"), max_length=100, required=False)
    discipline = forms.ChoiceField(
        label=_("discipline"),
        choices=Discipline.choices,
        help_text=_("Safety and environment inspections may be opened to project roles in the settings."),
    )
    position = forms.IntegerField(label=_("position"), min_value=0, max_value=1000, required=False)

    def __init__(self, *args: Any, builtin: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if builtin:
            for name in ("code", "discipline"):
                self.fields[name].disabled = True
                self.fields[name].help_text = _("A built-in type keeps its code and discipline.")

    @classmethod
    def initial_from(cls, inspection_type: InspectionType) -> dict[str, Any]:
        return {field: getattr(inspection_type, field) for field in library.TYPE_FIELDS}

    def service_fields(self) -> dict[str, Any]:
        data = {name: value for name, value in self.cleaned_data.items() if name not in self.disabled_names()}
        if data.get("position") is None:
            data.pop("position", None)
        return data

    def disabled_names(self) -> set[str]:
        return {name for name, field in self.fields.items() if field.disabled}


class TemplateForm(forms.Form):
    code = forms.CharField(
        label=_("code"),
        max_length=32,
        help_text=_("Names the template across its versions, for example QC-EW-01. It cannot change later."),
    )
    name_zh = forms.CharField(label=_("name (Chinese)"), max_length=200, required=False)
    name_en = forms.CharField(label=_("name (English)"), max_length=200, required=False)
    inspection_type = forms.ModelChoiceField(label=_("inspection type"), queryset=InspectionType.objects.none())
    description = forms.CharField(label=_("description"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, organization: Organization, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        types = self.fields["inspection_type"]
        assert isinstance(types, forms.ModelChoiceField)
        types.queryset = InspectionType.objects.for_organization(organization).order_by("position", "code")
        if editing:
            del self.fields["code"]

    @classmethod
    def initial_from(cls, template: ChecklistTemplate) -> dict[str, Any]:
        return {
            "name_zh": template.name_zh,
            "name_en": template.name_en,
            "inspection_type": template.inspection_type_id,
            "description": template.description,
        }


def _options_text(options: list[dict[str, Any]], acceptable: bool) -> str:
    return "\n".join(
        f"{option['key']} | {option['label']}" for option in options if bool(option.get("acceptable")) is acceptable
    )


def _options_parsed(text: str, acceptable: bool) -> list[dict[str, Any]]:
    options = []
    for line in (text or "").splitlines():
        if not line.strip():
            continue
        key, _bar, label = line.partition("|")
        options.append({"key": key.strip(), "label": label.strip() or key.strip(), "acceptable": acceptable})
    return options


class ItemForm(forms.Form):
    """One check of a template; the fields a kind does not use are ignored."""

    text_zh = forms.CharField(label=_("check (Chinese)"), max_length=255, required=False)
    text_en = forms.CharField(label=_("check (English)"), max_length=255, required=False)
    kind = forms.ChoiceField(label=_("kind"), choices=ItemKind.choices, initial=ItemKind.PASS_FAIL)
    severity = forms.ChoiceField(label=_("severity if it fails"), choices=Severity.choices, initial=Severity.MINOR)
    standard = forms.ModelChoiceField(
        label=_("standard clause"), queryset=Standard.objects.none(), required=False, empty_label="—"
    )
    max_readings = forms.IntegerField(label=_("readings allowed"), min_value=1, max_value=50, initial=1)
    unit = forms.CharField(label=_("unit"), max_length=16, required=False)
    comparator = forms.ChoiceField(label=_("comparator"), choices=BLANK_COMPARATOR, required=False)
    limit_a = forms.DecimalField(label=_("limit (or lower limit, or target)"), **LIMIT)  # type: ignore[arg-type]
    limit_b = forms.DecimalField(label=_("upper limit (or tolerance)"), **LIMIT)  # type: ignore[arg-type]
    second_label = forms.CharField(label=_("second reading"), max_length=100, required=False)
    second_unit = forms.CharField(label=_("second unit"), max_length=16, required=False)
    second_comparator = forms.ChoiceField(label=_("second comparator"), choices=BLANK_COMPARATOR, required=False)
    second_limit_a = forms.DecimalField(label=_("second limit (or lower limit, or target)"), **LIMIT)  # type: ignore[arg-type]
    second_limit_b = forms.DecimalField(label=_("second upper limit (or tolerance)"), **LIMIT)  # type: ignore[arg-type]
    options_ok = forms.CharField(
        label=_("acceptable options"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One per line: key | label, for example ok | 完好 Sound. Readings store the key."),
    )
    options_bad = forms.CharField(
        label=_("options that are a defect"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One per line: key | label, for example cracked | 开裂 Cracked."),
    )

    GROUPS = {
        "check": ("text_zh", "text_en", "kind", "severity", "standard", "max_readings"),
        "limit": ("unit", "comparator", "limit_a", "limit_b"),
        "second": ("second_label", "second_unit", "second_comparator", "second_limit_a", "second_limit_b"),
        "choice": ("options_ok", "options_bad"),
    }

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.organization = organization
        standards = self.fields["standard"]
        assert isinstance(standards, forms.ModelChoiceField)
        standards.queryset = Standard.objects.for_organization(organization)
        for name in ("limit_a", "limit_b", "second_limit_a", "second_limit_b", "max_readings"):
            self.fields[name].widget.attrs["inputmode"] = "decimal"

    @property
    def group(self) -> dict[str, list[forms.BoundField]]:
        """The item's fields by part (``item.group.limit`` in the template: a method taking the name
        cannot be called from a template, which rendered no field at all)."""
        return {name: [self[field] for field in fields] for name, fields in self.GROUPS.items()}

    def item(self) -> dict[str, Any]:
        """The item as the service takes it."""
        data = {field: self.cleaned_data.get(field) for field in library.ITEM_FIELDS if field != "options"}
        data["options"] = _options_parsed(self.cleaned_data.get("options_ok", ""), True) + _options_parsed(
            self.cleaned_data.get("options_bad", ""), False
        )
        return data

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.errors:
            return cleaned
        _data, problems = library.item_problems(self.organization.pk, self.item())
        for field, messages in problems.items():
            target = "options_ok" if field == "options" else field
            for message in messages:
                self.add_error(target if target in self.fields else None, message)
        return cleaned

    @staticmethod
    def initial_from(item: ChecklistItem) -> dict[str, Any]:
        initial = {field: getattr(item, field) for field in library.ITEM_FIELDS if field != "options"}
        initial["standard"] = item.standard_id
        for field in ("limit_a", "limit_b", "second_limit_a", "second_limit_b"):
            if initial[field] is not None:
                initial[field] = rules.plain(initial[field])
        initial["options_ok"] = _options_text(item.options or [], True)
        initial["options_bad"] = _options_text(item.options or [], False)
        return initial


class BaseItemFormSet(forms.BaseFormSet):
    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        self.organization = organization
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index: int | None) -> dict[str, Any]:
        return {**super().get_form_kwargs(index), "organization": self.organization}

    def items(self) -> list[dict[str, Any]]:
        """The items kept, in the order shown: removed and untouched blank ones left out."""
        deleted = set(map(id, self.deleted_forms))
        return [
            form.item()
            for form in self.forms
            if id(form) not in deleted and not (form.empty_permitted and not form.has_changed()) and form.is_valid()
        ]

    def clean(self) -> None:
        if any(self.errors):
            return
        if not self.items():
            raise forms.ValidationError(_("Add at least one item."))


ItemFormSet: Any = formset_factory(ItemForm, formset=BaseItemFormSet, extra=2, can_delete=True, max_num=200)


class QualitySettingsForm(forms.Form):
    nc_mode = forms.ChoiceField(label=_("non-conformances from a failed inspection"), choices=NcMode.choices)
    due_days_critical = forms.IntegerField(
        label=_("a critical non-conformance is due in (days)"), min_value=1, max_value=MAX_DUE_DAYS
    )
    due_days_major = forms.IntegerField(
        label=_("a major non-conformance is due in (days)"), min_value=1, max_value=MAX_DUE_DAYS
    )
    due_days_minor = forms.IntegerField(
        label=_("a minor non-conformance is due in (days)"), min_value=1, max_value=MAX_DUE_DAYS
    )
    field_inspector_roles = forms.MultipleChoiceField(
        label=_("project roles that may inspect safety and environment"),
        choices=ProjectRole.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "The quality role inspects everything; these project roles may also carry out safety and "
            "environment inspections."
        ),
    )

    @classmethod
    def initial_from(cls, settings: QualitySettings) -> dict[str, Any]:
        return {field: getattr(settings, field) for field in library.SETTINGS_FIELDS}
