"""The kinds of alert rule: what each measures, its defaults and message, and who evaluates it.

The core knows no kind by name. An app registers its kinds and the evaluator that measures
them in its ``AppConfig.ready()``; the engine (rules, de-duplication, outbox, in-app, e-mail,
webhooks, digests) reads them from ``alert_kinds``, and the stored kind is a plain string
checked against it, so adding a kind needs no migration of the core.

Every rule compares one measure with its thresholds. ``BELOW`` rules fire when the measure is
under the threshold (SPI 0.93 < 0.95), ``ABOVE`` rules when it is over it (a milestone 3 days
late > 0). ``red_threshold``, when set, is the stricter bound that makes the alert red.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.urls import NoReverseMatch, reverse

from pmo.models import Severity

if TYPE_CHECKING:
    from pmo.alerts.services import Finding
    from pmo.models import Alert, Organization, User
    from pmo.workdays import WorkCalendar

BELOW = "below"
ABOVE = "above"
DIRECTIONS = (BELOW, ABOVE)

RATIO = "ratio"
AMOUNT = "amount"
PERCENT = "percent"
POINTS = "points"
DAYS = "days"
WORKING_DAYS = "working_days"
UNITS = (RATIO, AMOUNT, PERCENT, POINTS, DAYS, WORKING_DAYS)


@dataclass(frozen=True)
class AlertKindSpec:
    """One kind of alert rule as an app registers it.

    ``label``, ``explanation`` and ``message`` are lazy strings, translated when shown.
    ``subject_types`` are the registered subject types its findings are about. ``figures`` names
    the figures its findings carry besides ``value`` and ``threshold``, as (key, lazy label), in
    the order an alert's page shows them.
    ``message`` is formatted with ``subject`` and the finding's figures. ``position`` orders
    the kinds in pages and the API. ``link`` gives the page that shows an alert's subject.
    """

    code: str
    label: Any
    direction: str
    unit: str
    threshold: Decimal
    red_threshold: Decimal | None
    severity: str
    org_roles: tuple[str, ...]
    project_roles: tuple[str, ...]
    explanation: Any
    message: Any
    subject_types: tuple[str, ...]
    position: int
    link: Callable[[Alert, str], str | None] | None = None
    figures: tuple[tuple[str, Any], ...] = ()

    def __post_init__(self) -> None:
        if self.direction not in DIRECTIONS:
            raise ValueError(f"Alert kind {self.code}: unknown direction {self.direction!r}.")
        if self.unit not in UNITS:
            raise ValueError(f"Alert kind {self.code}: unknown unit {self.unit!r}.")
        if self.severity not in Severity.values:
            raise ValueError(f"Alert kind {self.code}: unknown severity {self.severity!r}.")


@dataclass
class EvaluationBatch:
    """What an evaluator measures: a batch of an organisation's open projects, locked, as of a date.

    ``computed`` holds what the run has computed already for the batch (earned value, budgets),
    by the name of whoever computed it, so that an evaluator does not query it again.
    """

    organization: Organization
    projects: dict[int, Any]
    as_of: dt.date
    calendars: dict[int, WorkCalendar]
    computed: dict[str, Any] = field(default_factory=dict)


#: Measures a batch: the findings of each of its kinds (a kind left out found nothing).
Evaluator = Callable[[EvaluationBatch], Mapping[str, Iterable["Finding"]]]
#: Starts a run of the evaluations of an organisation (organisation id, a date in ISO or None for
#: today, who asked or None), queued once the caller's transaction commits.
Runner = Callable[[int, "str | None", "User | None"], None]
#: Queues the evaluation of some projects of an organisation (organisation id, project ids) as of today.
ProjectRunner = Callable[[int, list[int]], None]


@dataclass(frozen=True)
class _Registered:
    evaluate: Evaluator
    kinds: tuple[str, ...]


class AlertKindRegistry:
    """The kinds apps have registered, in their order, with their evaluators and runners.

    Also the types of subject alerts are about (a project, a task, ...), by code with a label.
    """

    def __init__(self) -> None:
        self._kinds: dict[str, AlertKindSpec] = {}
        self._subject_types: dict[str, Any] = {}
        self._evaluators: list[_Registered] = []
        self._runners: list[Runner] = []
        self._project_runners: list[ProjectRunner] = []

    def register(self, spec: AlertKindSpec) -> AlertKindSpec:
        existing = self._kinds.get(spec.code)
        if existing is not None and existing != spec:
            raise ValueError(f"Alert kind {spec.code} is registered already.")
        if len(spec.code) > 32:
            raise ValueError(f"Alert kind {spec.code}: a code has at most 32 characters.")
        unknown = [code for code in spec.subject_types if code not in self._subject_types]
        if unknown or not spec.subject_types:
            raise ValueError(f"Alert kind {spec.code}: register its subject types first ({unknown}).")
        self._kinds[spec.code] = spec
        return spec

    def register_subject_type(self, code: str, label: Any) -> None:
        """A type of subject alerts may be about, with its label (a lazy string)."""
        if len(code) > 16:
            raise ValueError(f"Alert subject type {code}: a code has at most 16 characters.")
        existing = self._subject_types.get(code)
        if existing is not None and existing != label:
            raise ValueError(f"Alert subject type {code} is registered already.")
        self._subject_types[code] = label

    def unregister_subject_type(self, code: str) -> None:
        self._subject_types.pop(code, None)

    @property
    def subject_types(self) -> list[tuple[str, Any]]:
        """(code, label) of the subject types, in the order they were registered."""
        return list(self._subject_types.items())

    def subject_type_label(self, code: str) -> str:
        """The subject type's label in the active language; the code of a type no longer registered."""
        label = self._subject_types.get(code)
        return code if label is None else str(label)

    def unregister(self, code: str) -> None:
        """Forget a kind and the evaluators that measure only kinds now unknown (for tests)."""
        self._kinds.pop(code, None)
        self._evaluators = [item for item in self._evaluators if any(kind in self._kinds for kind in item.kinds)]

    def evaluator(self, evaluate: Evaluator, *, kinds: Iterable[str]) -> Evaluator:
        """Have the variance run call ``evaluate`` on each batch for the findings of ``kinds``."""
        registered = _Registered(evaluate, tuple(kinds))
        if registered not in self._evaluators:
            self._evaluators.append(registered)
        return evaluate

    def unregister_evaluator(self, evaluate: Evaluator) -> None:
        self._evaluators = [item for item in self._evaluators if item.evaluate != evaluate]

    def runner(self, run: Runner, *, projects: ProjectRunner | None = None) -> Runner:
        """Have "run the check now" (page and API) call ``run``, and a change to a project ``projects``."""
        if run not in self._runners:
            self._runners.append(run)
        if projects is not None and projects not in self._project_runners:
            self._project_runners.append(projects)
        return run

    def unregister_runner(self, run: Runner, *, projects: ProjectRunner | None = None) -> None:
        self._runners = [item for item in self._runners if item != run]
        self._project_runners = [item for item in self._project_runners if item != projects]

    def __getitem__(self, code: str) -> AlertKindSpec:
        return self._kinds[code]

    def __contains__(self, code: object) -> bool:
        return code in self._kinds

    def __iter__(self) -> Iterator[AlertKindSpec]:
        return iter(sorted(self._kinds.values(), key=lambda spec: (spec.position, spec.code)))

    def __len__(self) -> int:
        return len(self._kinds)

    def get(self, code: str) -> AlertKindSpec | None:
        return self._kinds.get(code)

    @property
    def values(self) -> list[str]:
        """The codes, in order."""
        return [spec.code for spec in self]

    @property
    def choices(self) -> list[tuple[str, Any]]:
        """(code, label) in order, as a field's choices."""
        return [(spec.code, spec.label) for spec in self]

    def label(self, code: str) -> str:
        """The kind's label in the active language; the code of a kind no longer registered."""
        spec = self._kinds.get(code)
        return code if spec is None else str(spec.label)

    def evaluate(self, batch: EvaluationBatch) -> dict[str, list[Finding]]:
        """Every registered kind's findings on the batch (an empty list when nothing holds)."""
        found: dict[str, list[Finding]] = {code: [] for code in self.values}
        for registered in self._evaluators:
            for kind, findings in registered.evaluate(batch).items():
                if kind in found:
                    found[kind].extend(findings)
        return found

    def run_now(self, *, organization_id: int, as_of: str | None, started_by: User | None = None) -> None:
        """Start every registered run for the organisation (sent after the caller's transaction commits)."""
        for run in self._runners:
            run(organization_id, as_of, started_by)

    def run_projects(self, *, organization_id: int, project_ids: list[int]) -> None:
        """Queue the evaluation of these projects by every registered run, inside the caller's transaction.

        A runner queues with ``pmo.queueing.queue_on_commit``, so that the evaluation is recorded with
        the change and sent once it commits.
        """
        for run in self._project_runners:
            run(organization_id, project_ids)


alert_kinds = AlertKindRegistry()


def project_page(name: str, *, subject: str | None = None) -> Callable[[Alert, str], str | None]:
    """A ``link``: the page ``name`` of the alert's project, given the subject's id as ``subject``.

    None when the alert has no project or the page's app is not mounted.
    """

    def link(alert: Alert, org_slug: str) -> str | None:
        if alert.project_id is None:
            return None
        kwargs: dict[str, Any] = {"org_slug": org_slug, "project_id": alert.project_id}
        if subject is not None:
            kwargs[subject] = alert.subject_id
        try:
            return reverse(name, kwargs=kwargs)
        except NoReverseMatch:
            return None

    return link


def severity_of(
    kind: str, measure: Decimal, threshold: Decimal, red_threshold: Decimal | None, severity: str
) -> str | None:
    """The severity the measure deserves under these thresholds, or None when the rule does not fire."""
    if alert_kinds[kind].direction == BELOW:
        if not measure < threshold:
            return None
        return Severity.RED if red_threshold is not None and measure < red_threshold else severity
    if not measure > threshold:
        return None
    return Severity.RED if red_threshold is not None and measure > red_threshold else severity


def alert_message(kind: str, subject: str, figures: dict[str, Any]) -> str:
    """The alert's sentence in the active language, from the figures that triggered it."""
    values = {"subject": subject, **{key: str(value) for key, value in figures.items()}}
    spec = alert_kinds.get(kind)
    if spec is None:
        return subject
    try:
        return str(spec.message) % values
    except (KeyError, TypeError, ValueError):
        # Figures written by an older version of a rule: still say what and where.
        return f"{subject}: {dict(figures)}"
