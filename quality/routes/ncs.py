"""Page routes of non-conformances: a project's (``urlpatterns``, see quality/project_urls.py) and the
organisation's list (``org_urlpatterns``, see quality/urls.py)."""

from django.urls import URLPattern, URLResolver, path

from quality.views.ncs import NcCreateView, NcDetailView, OrganizationNcListView, ProjectNcListView

urlpatterns: list[URLPattern | URLResolver] = [
    path("quality/ncs/", ProjectNcListView.as_view(), name="project-quality-ncs"),
    path("quality/ncs/new/", NcCreateView.as_view(), name="project-quality-nc-create"),
    path("quality/ncs/<int:nc_id>/", NcDetailView.as_view(), name="quality-nc"),
]

#: Under /o/<org_slug>/quality/.
org_urlpatterns: list[URLPattern | URLResolver] = [
    path("ncs/", OrganizationNcListView.as_view(), name="org-quality-ncs"),
]
