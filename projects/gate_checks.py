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

from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import translation
from django.utils.dateparse import parse_datetime
from django.utils.functional import Promise, lazy
from django.utils.translation import gettext_lazy

from projects.models import OPEN_PHASES, Phase

if TYPE_CHECKING:
    from projects.models import Project

#: ``(project) -> (passed, reason)``: reads the project as it stands, in a fixed small number of
#: queries, and says in one sentence why it passes or fails. The reason is lazy (``gettext_lazy``,
#: ``interpolate_lazy``) so that a passed gate can record it in every language.
Evaluator = Callable[["Project"], tuple[bool, "str | Promise"]]

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


def _interpolate(message: str | Promise, params: Mapping[str, Any]) -> str:
    return str(message) % params


#: ``interpolate_lazy(gettext_lazy("Approved budget: version %(number)s."), {"number": 3})``: the
#: message translated and filled in only when it is read, in the language active then.
interpolate_lazy = lazy(_interpolate, str)


@dataclass(frozen=True)
class GateCheckResult:
    check: GateCheck
    passed: bool
    #: Lazy when the evaluator says it lazily: ``str()`` renders it in the active language.
    reason: str | Promise

    @property
    def code(self) -> str:
        return self.check.code

    @property
    def label(self) -> str:
        return str(self.check.label)

    def record(self, evaluated_at: datetime) -> dict[str, Any]:
        """The result as a passed gate keeps it: label and reason in every language of the site.

        ``label`` and ``reason`` hold the text in the language active when the gate was passed, as
        records did before they kept ``labels`` and ``reasons`` by language.
        """
        return {
            "code": self.code,
            "label": self.label,
            "labels": in_every_language(self.check.label),
            "passed": self.passed,
            "reason": str(self.reason),
            "reasons": in_every_language(self.reason),
            "evaluated_at": evaluated_at.isoformat(),
        }


def in_every_language(text: str | Promise) -> dict[str, str]:
    """``text`` rendered in each language of ``settings.LANGUAGES``, by language code."""
    rendered = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            rendered[code] = str(text)
    return rendered


def _in_active_language(texts: object) -> str | None:
    if not isinstance(texts, Mapping) or not texts:
        return None
    active = translation.get_language() or settings.LANGUAGE_CODE
    for code in (active, active.lower(), active.split("-")[0], settings.LANGUAGE_CODE):
        if code in texts:
            return str(texts[code])
    return str(next(iter(texts.values())))


def recorded_check(item: Mapping[str, Any]) -> dict[str, Any]:
    """A check recorded on a gate as its reader sees it: label and reason in the active language.

    Records kept before they held every language fall back to the check's label as registered
    today and to the reason in the language of the approver. ``evaluated_at`` becomes a datetime.
    """
    check = gate_checks.get(item.get("code", ""))
    label = _in_active_language(item.get("labels"))
    if label is None:
        label = str(check.label) if check is not None else item.get("label", "")
    reason = _in_active_language(item.get("reasons"))
    evaluated_at = item.get("evaluated_at")
    return {
        **item,
        "label": label,
        "reason": item.get("reason", "") if reason is None else reason,
        "evaluated_at": parse_datetime(evaluated_at) if isinstance(evaluated_at, str) else evaluated_at,
    }


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


def _current_baseline_exists(project: Project) -> tuple[bool, str | Promise]:
    from projects.selectors import current_baseline

    baseline = current_baseline(project)
    if baseline is not None:
        return True, interpolate_lazy(gettext_lazy("Current baseline: %(name)s."), {"name": baseline.name})
    if project.phase == Phase.PLANNING:
        return False, gettext_lazy("Set a baseline before leaving planning: execution is measured against it.")
    return False, gettext_lazy("The project has no current baseline.")


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
