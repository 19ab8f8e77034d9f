"""The responses section of a risk's page: its responses with their actions, and the forms to change them.

``{% risk_responses as section %}`` reads what the page already holds (the risk, the membership, the
user's project role, the allowed actions) and runs a fixed number of queries whatever the number of
responses and actions: the responses, the actions, the members (when a form needs owners), the
project's draft budget version (when an action's cost may go to it) and the issue an occurred risk
became.
"""

from __future__ import annotations

from typing import Any

from django import template

from risks.views.responses import responses_section

register = template.Library()


@register.simple_tag(takes_context=True)
def risk_responses(context: template.Context) -> dict[str, Any]:
    return responses_section(context)
