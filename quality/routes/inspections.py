"""Page routes of inspections: a project's (``urlpatterns``, see quality/project_urls.py) and the
organisation's list (``org_urlpatterns``, see quality/urls.py)."""

from django.urls import URLPattern, URLResolver, path

from quality.views.inspections import (
    InspectionCreateView,
    InspectionPdfView,
    InspectionView,
    OrganizationInspectionsView,
    ProjectInspectionsView,
)

urlpatterns: list[URLPattern | URLResolver] = [
    path("quality/inspections/", ProjectInspectionsView.as_view(), name="project-quality-inspections"),
    path("quality/inspections/new/", InspectionCreateView.as_view(), name="project-quality-inspection-create"),
    path("quality/inspections/<int:inspection_id>/", InspectionView.as_view(), name="quality-inspection"),
    path(
        "quality/inspections/<int:inspection_id>/pdf/",
        InspectionPdfView.as_view(),
        name="quality-inspection-pdf",
    ),
]

#: Under /o/<org_slug>/quality/.
org_urlpatterns: list[URLPattern | URLResolver] = [
    path("inspections/", OrganizationInspectionsView.as_view(), name="org-quality-inspections"),
]
