"""Computed gate checks: conditions the system evaluates when a project asks to leave a phase.

Besides the checklist an approver ticks, an app registers checks that read the project's own
records ("a current baseline exists", "an approved budget exists"). Each organisation chooses per
phase which registered checks apply (``projects.services.gate_checks``); a failing check blocks the
gate with its reason. The projects app registers its checks in ``ProjectsConfig.ready()``, apps
above it in theirs::

    from projects.gate_checks import GateCheck, gate_checks
    gate_checks.register(GateCheck(code="...", label=..., explanation=..., phases=..., evaluate=...))
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.core.exceptions import ImproperlyConfigured
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from projects.models import OPEN_PHASES, Phase

if TYPE_CHECKING:
    from projects.models import Project

#: ``(project) -> (passed, reason)``: reads the project as it stands, in a fixed small number of
#: queries, and says in one sentence why it passes or fails.
Evaluator = Callable[["Project"], tuple[bool, str]]

CODE_MAX_LENGTH = 64


@dataclass(frozen=True)
class GateCheck:
    """One condition the system evaluates when a project leaves a phase."""

    code: str
    label: str | Promise
    explanation: str | Promise
    #: The phases being left where the check makes sense; an organisation may choose it only there.
    phases: frozenset[str]
    evaluate: Evaluator
    #: Where it applies while the organisation has not chosen otherwise.
    default_phases: frozenset[str] = field(default_factory=frozenset)
    #: The error code of a gate it blocks.
    failure_code: str = "gate_check_failed"
    #: A page of the project where the reason can be put right: a URL name taking org_slug, project_id.
    remedy_url_name: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "phases", frozenset(self.phases))
        object.__setattr__(self, "default_phases", frozenset(self.default_phases))
        if not self.code or len(self.code) > CODE_MAX_LENGTH or not self.code.replace("_", "").isalnum():
            raise ImproperlyConfigured(f"Gate check code {self.code!r}: letters, digits and _, at most 64.")
        wrong = self.phases - set(OPEN_PHASES)
        if not self.phases or wrong:
            raise ImproperlyConfigured(f"Gate check {self.code}: phases must be open phases, not {sorted(wrong)}.")
        if not self.default_phases <= self.phases:
            raise ImproperlyConfigured(f"Gate check {self.code}: default phases must be among its phases.")

    def applies_by_default(self, phase: str) -> bool:
        return phase in self.default_phases


@dataclass(frozen=True)
class GateCheckResult:
    check: GateCheck
    passed: bool
    reason: str

    @property
    def code(self) -> str:
        return self.check.code

    @property
    def label(self) -> str:
        return str(self.check.label)


class GateCheckRegistry:
    """The registered checks, in the order they were registered."""

    def __init__(self) -> None:
        self._checks: dict[str, GateCheck] = {}

    def register(self, check: GateCheck) -> GateCheck:
        if check.code in self._checks:
            raise ImproperlyConfigured(f"The gate check {check.code} is already registered.")
        self._checks[check.code] = check
        return check

    def unregister(self, code: str) -> None:
        self._checks.pop(code, None)

    @contextmanager
    def registered(self, check: GateCheck) -> Iterator[GateCheck]:
        """Register ``check`` for the duration of a block (tests, experiments)."""
        self.register(check)
        try:
            yield check
        finally:
            self.unregister(check.code)

    def get(self, code: str) -> GateCheck | None:
        return self._checks.get(code)

    def __iter__(self) -> Iterator[GateCheck]:
        return iter(list(self._checks.values()))

    def __len__(self) -> int:
        return len(self._checks)

    def for_phase(self, phase: str) -> list[GateCheck]:
        """The checks that make sense when leaving ``phase``."""
        return [check for check in self._checks.values() if phase in check.phases]


gate_checks = GateCheckRegistry()


def evaluate(checks: Iterable[GateCheck], project: Project) -> list[GateCheckResult]:
    return [GateCheckResult(check, *check.evaluate(project)) for check in checks]


# --- the checks of the projects app -------------------------------------------------------

CURRENT_BASELINE = "baseline_current"


def _current_baseline_exists(project: Project) -> tuple[bool, str]:
    from projects.selectors import current_baseline

    baseline = current_baseline(project)
    if baseline is not None:
        return True, _("Current baseline: %(name)s.") % {"name": baseline.name}
    if project.phase == Phase.PLANNING:
        return False, _("Set a baseline before leaving planning: execution is measured against it.")
    return False, _("The project has no current baseline.")


BASELINE_CHECK = GateCheck(
    code=CURRENT_BASELINE,
    label=gettext_lazy("A current baseline exists"),
    explanation=gettext_lazy(
        "The project has a current baseline: the frozen plan that schedule slips and earned value are measured against."
    ),
    phases=frozenset({Phase.PLANNING, Phase.EXECUTION}),
    evaluate=_current_baseline_exists,
    # Leaving planning has always needed a baseline; an organisation may now switch it off.
    default_phases=frozenset({Phase.PLANNING}),
    failure_code="baseline_required",
    remedy_url_name="project-baselines",
)
