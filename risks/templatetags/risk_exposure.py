"""``{% risk_exposure project as box %}`` and ``{% risk_exposure_trend project as trend %}``: the figures of
``risks/includes/exposure.html`` and ``risks/includes/exposure_trend.html`` (see ``risks.exposure``)."""

from __future__ import annotations

from django import template

from projects.models import Project
from risks.exposure import Trend, exposure_box, trend_chart
from risks.selectors import Exposure

register = template.Library()


@register.simple_tag
def risk_exposure(project: Project) -> Exposure:
    return exposure_box(project)


@register.simple_tag
def risk_exposure_trend(project: Project) -> Trend:
    return trend_chart(project)
