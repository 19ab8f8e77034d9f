"""Project control: weekly status reports and change requests, with who may move them on.

Status reports are written by ``status_reports``, change requests by ``change_requests``;
this module names them all in one place.
"""

from projects.services.change_requests import (
    CHANGE_FIELDS,
    DecisionRule,
    change_request_approve,
    change_request_baseline_name,
    change_request_create,
    change_request_decision_rule,
    change_request_implement,
    change_request_may_decide,
    change_request_may_edit,
    change_request_reject,
    change_request_submit,
    change_request_update,
)
from projects.services.status_reports import (
    NARRATIVE_FIELDS,
    RAG_FIELDS,
    REPORT_FIELDS,
    status_report_create,
    status_report_may_submit,
    status_report_return,
    status_report_review,
    status_report_save_and_submit,
    status_report_submit,
    status_report_update,
)

__all__ = [
    "CHANGE_FIELDS",
    "NARRATIVE_FIELDS",
    "RAG_FIELDS",
    "REPORT_FIELDS",
    "DecisionRule",
    "change_request_approve",
    "change_request_baseline_name",
    "change_request_create",
    "change_request_decision_rule",
    "change_request_implement",
    "change_request_may_decide",
    "change_request_may_edit",
    "change_request_reject",
    "change_request_submit",
    "change_request_update",
    "status_report_create",
    "status_report_may_submit",
    "status_report_return",
    "status_report_review",
    "status_report_save_and_submit",
    "status_report_submit",
    "status_report_update",
]
