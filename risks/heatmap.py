"""The 5 x 5 heat map of open risks: how many sit in each (probability, impact) cell, drawn as SVG.

``cell_counts`` reads the counts in one query (GROUP BY probability, impact) whatever the number of
risks, for one project or for the portfolio (every project, a portfolio's projects, and the
organisation-level risks), on the current (residual) assessment or the inherent one.
``render_svg`` draws them: cells coloured by the organisation's matrix, the count in each, the risk
appetite as a staircase line (the cells above it score more than the appetite) and each cell with
risks a link to the register filtered to that cell. The register pages and the dashboard share both.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db.models import Count, Q, QuerySet
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from risks import scoring
from risks.models import OPEN_STATUSES, Risk

if TYPE_CHECKING:
    from pmo.models import Organization
    from projects.models import Project
    from risks.models import RiskSettings

CURRENT, INHERENT = "current", "inherent"
BASES = (CURRENT, INHERENT)
#: The columns each basis reads.
BASIS_FIELDS = {CURRENT: ("probability", "impact"), INHERENT: ("inherent_probability", "inherent_impact")}

# Fills and text colours of the levels (presentation attributes: the SVG needs no stylesheet).
LEVEL_FILL = {scoring.LOW: "#cfe9d6", scoring.MEDIUM: "#fde3a7", scoring.HIGH: "#f4b4ad"}
LEVEL_TEXT = {scoring.LOW: "#1e6b34", scoring.MEDIUM: "#7a4f00", scoring.HIGH: "#8c1d16"}

CELL = 56
LEFT = 58
TOP = 12
BOTTOM = 52
RIGHT = 12
WIDTH = LEFT + 5 * CELL + RIGHT
HEIGHT = TOP + 5 * CELL + BOTTOM


@dataclass(frozen=True)
class HeatMap:
    """Open risks per cell: ``counts[(probability, impact)]``; cells without risks are absent."""

    basis: str
    counts: dict[tuple[int, int], int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def count(self, probability: int, impact: int) -> int:
        return self.counts.get((probability, impact), 0)


def basis_of(value: str | None) -> str:
    """A basis named in a query string; anything else is the current assessment."""
    return value if value in BASES else CURRENT


def cell_counts(
    organization: Organization | int,
    *,
    project: Project | int | None = None,
    basis: str = CURRENT,
    portfolio_id: int | None = None,
    organisation_level: bool = True,
    projects: QuerySet[Project] | None = None,
) -> HeatMap:
    """Open risks per cell, in one query.

    With ``project``, that project's risks. Without it, the portfolio: every project's risks (only
    those of the portfolio ``portfolio_id`` and its programmes when given) and, unless
    ``organisation_level`` is false or a portfolio is chosen, the organisation-level risks.
    ``projects`` (a queryset, such as the dashboard's filtered projects) keeps only their risks.
    """
    probability, impact = BASIS_FIELDS[basis_of(basis)]
    risks = Risk.objects.for_organization(organization).filter(
        status__in=OPEN_STATUSES, **{f"{probability}__isnull": False, f"{impact}__isnull": False}
    )
    if project is not None:
        risks = risks.filter(project=project)
    elif portfolio_id is not None:
        risks = risks.filter(Q(project__portfolio_id=portfolio_id) | Q(project__portfolio__parent_id=portfolio_id))
    elif not organisation_level:
        risks = risks.filter(project__isnull=False)
    if project is None and projects is not None:
        risks = risks.filter(project__in=projects.values("pk"))
    rows = risks.order_by().values_list(probability, impact).annotate(n=Count("pk"))
    return HeatMap(basis=basis_of(basis), counts={(p, i): n for p, i, n in rows})


def appetite_path(appetite: int) -> str:
    """The staircase between the cells scoring at most ``appetite`` and those above it, as SVG path data.

    In impact column ``i`` the line runs above the highest probability ``p`` with ``p x i <= appetite``.
    """
    points: list[tuple[int, int]] = []
    for impact in scoring.SCALE:
        highest = max(0, min(5, appetite // impact))
        y = TOP + (5 - highest) * CELL
        x0, x1 = LEFT + (impact - 1) * CELL, LEFT + impact * CELL
        points.extend([(x0, y), (x1, y)])
    return "M" + " L".join(f"{x} {y}" for x, y in points)


def level_label(level: str) -> str:
    return {
        scoring.LOW: pgettext("risk level", "Low"),
        scoring.MEDIUM: pgettext("risk level", "Medium"),
        scoring.HIGH: pgettext("risk level", "High"),
    }.get(level, level)


def render_svg(
    heatmap: HeatMap,
    settings: RiskSettings,
    *,
    href: Callable[[int, int], str] | None = None,
    label: str = "",
) -> SafeString:
    """The heat map as one self-contained ``<svg>``: probability up the left, impact along the bottom.

    ``href(probability, impact)`` gives each cell with risks its link; ``label`` names the chart
    for screen readers (by default: the basis and the number of risks).
    """
    matrix = settings.matrix
    basis_name = _("inherent") if heatmap.basis == INHERENT else _("current")
    name = label or (
        ngettext(
            "Heat map of %(count)s open risk, %(basis)s assessment",
            "Heat map of %(count)s open risks, %(basis)s assessment",
            heatmap.total,
        )
        % {"count": heatmap.total, "basis": basis_name}
    )
    parts = [
        f'<svg class="heatmap" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="{WIDTH}" height="{HEIGHT}" role="group" aria-label="{escape(name)}" '
        f'data-basis="{heatmap.basis}" font-family="inherit">'
    ]
    for probability in scoring.SCALE:
        for impact in scoring.SCALE:
            level = scoring.level(matrix, probability, impact)
            count = heatmap.count(probability, impact)
            x, y = LEFT + (impact - 1) * CELL, TOP + (5 - probability) * CELL
            cell_name = ngettext(
                "Probability %(p)s, impact %(i)s (%(level)s): %(count)s risk",
                "Probability %(p)s, impact %(i)s (%(level)s): %(count)s risks",
                count,
            ) % {"p": probability, "i": impact, "level": level_label(level), "count": count}
            cell = (
                f'<rect x="{x + 1}" y="{y + 1}" width="{CELL - 2}" height="{CELL - 2}" rx="4" '
                f'fill="{LEVEL_FILL.get(level, "#eceff3")}" class="hm-cell hm-{level}"/>'
            )
            if count:
                cell += (
                    f'<text x="{x + CELL // 2}" y="{y + CELL // 2 + 7}" text-anchor="middle" font-size="20" '
                    f'font-weight="700" fill="{LEVEL_TEXT.get(level, "#1c2430")}">{count}</text>'
                )
            if count and href is not None:
                parts.append(
                    f'<a href="{escape(href(probability, impact))}" aria-label="{escape(cell_name)}" '
                    f'data-cell="{probability}-{impact}"><title>{escape(cell_name)}</title>{cell}</a>'
                )
            else:
                parts.append(f'<g data-cell="{probability}-{impact}"><title>{escape(cell_name)}</title>{cell}</g>')
    appetite = settings.appetite
    parts.append(
        f'<path d="{appetite_path(appetite)}" fill="none" stroke="#1c2430" stroke-width="3" '
        f'stroke-dasharray="7 4" class="hm-appetite"><title>'
        f"{escape(_('Risk appetite: score %(score)s') % {'score': appetite})}</title></path>"
    )
    for value in scoring.SCALE:
        x = LEFT + (value - 1) * CELL + CELL // 2
        y = TOP + (5 - value) * CELL + CELL // 2 + 5
        parts.append(f'<text x="{x}" y="{TOP + 5 * CELL + 18}" text-anchor="middle" font-size="13" fill="#566173">')
        parts.append(f"{value}</text>")
        parts.append(f'<text x="{LEFT - 10}" y="{y}" text-anchor="end" font-size="13" fill="#566173">{value}</text>')
    parts.append(
        f'<text x="{LEFT + 5 * CELL // 2}" y="{HEIGHT - 8}" text-anchor="middle" font-size="13" '
        f'font-weight="600" fill="#1c2430">{escape(_("Impact"))} →</text>'
    )
    middle = TOP + 5 * CELL // 2
    parts.append(
        f'<text x="16" y="{middle}" text-anchor="middle" font-size="13" font-weight="600" fill="#1c2430" '
        f'transform="rotate(-90 16 {middle})">{escape(_("Probability"))} →</text>'
    )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308  (every piece of text is escaped above)
