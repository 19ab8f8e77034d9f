"""Page routes of a project's acceptance: deliverables, one deliverable, the satisfaction survey."""

from django.urls import URLPattern, URLResolver, path

from quality.views.acceptance import DeliverableDetailView, DeliverableListView, SatisfactionView

urlpatterns: list[URLPattern | URLResolver] = [
    path("quality/deliverables/", DeliverableListView.as_view(), name="project-quality-deliverables"),
    path(
        "quality/deliverables/<int:deliverable_id>/",
        DeliverableDetailView.as_view(),
        name="project-quality-deliverable",
    ),
    path("quality/satisfaction/", SatisfactionView.as_view(), name="project-quality-satisfaction"),
]
