"""The registered computed gate checks and the organisation's choice of which apply per phase."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from pmo.api.base import OrganizationScopedMixin
from pmo.concurrency import representation_hash
from pmo.models import Organization
from projects.api import serializers as s
from projects.api.views.common import _actor
from projects.gate_checks import gate_checks
from projects.models import OPEN_PHASES
from projects.permissions import ProjectAction
from projects.services.gate_checks import Selection, gate_check_selection, gate_check_selection_update


def _ordered(phases: frozenset[str]) -> list[str]:
    return [phase.value for phase in OPEN_PHASES if phase in phases]


class GateCheckListView(OrganizationScopedMixin, APIView):
    schema_description = gettext_lazy(
        "The checks the system can evaluate when a project leaves a phase, and where they apply in the organisation."
    )

    read_action = ProjectAction.PROJECT_VIEW

    @extend_schema(
        summary=gettext_lazy("List the computed gate checks"),
        tags=["project settings"],
        responses={200: s.GateCheckSerializer(many=True)},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        selection = gate_check_selection(self.organization)
        data = [
            {
                "code": check.code,
                "label": str(check.label),
                "explanation": str(check.explanation),
                "phases": _ordered(check.phases),
                "default_phases": _ordered(check.default_phases),
                "applies_when_leaving": [phase for phase, codes in selection.items() if check.code in codes],
            }
            for check in gate_checks
        ]
        return Response(s.GateCheckSerializer(data, many=True).data)


class GateCheckSelectionView(OrganizationScopedMixin, APIView):
    schema_description = gettext_lazy(
        "Which computed checks apply when leaving each open phase. A phase left out of a PATCH keeps "
        "its selection; PUT sets every phase (a phase left out then has none). An unknown check, or "
        "one not meant for the phase, answers 400 with the code invalid_gate_check."
    )

    read_action = ProjectAction.PROJECT_VIEW
    write_action = ProjectAction.PROJECT_SETTINGS_MANAGE
    versioned_as_setting = True
    _selection: Selection | None = None

    def selection(self) -> Selection:
        if self._selection is None:
            self._selection = gate_check_selection(self.organization)
        return self._selection

    def lock_scope(self) -> None:
        # The lock gate_check_selection_update takes: the organisation row serialises the writers.
        Organization.objects.select_for_update(no_key=True).filter(pk=self.organization.pk).first()
        self._selection = None

    def setting_version(self) -> str:
        return representation_hash(self.selection())

    @extend_schema(
        summary=gettext_lazy("Show which computed checks apply per phase"),
        tags=["project settings"],
        responses={200: s.GateCheckSelectionSerializer},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return Response(self.selection())

    @extend_schema(
        summary=gettext_lazy("Choose the computed checks of some phases"),
        tags=["project settings"],
        request=s.GateCheckSelectionSerializer,
        responses={200: s.GateCheckSelectionSerializer},
    )
    def patch(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self._update(request, partial=True)

    @extend_schema(
        summary=gettext_lazy("Choose the computed checks of every phase"),
        tags=["project settings"],
        request=s.GateCheckSelectionSerializer,
        responses={200: s.GateCheckSelectionSerializer},
    )
    def put(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self._update(request, partial=False)

    def _update(self, request: Request, *, partial: bool) -> Response:
        payload = s.GateCheckSelectionSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        selection = dict(payload.validated_data)
        if not partial:
            selection = {phase.value: selection.get(phase.value, []) for phase in OPEN_PHASES}
        self._selection = gate_check_selection_update(
            actor=_actor(request), organization=self.organization, selection=selection
        )
        return Response(self._selection)
