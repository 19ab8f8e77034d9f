"""A project's quality pages, under /o/<org_slug>/projects/<project_id>/quality/."""

from django.urls import URLPattern, URLResolver

from quality.routes import acceptance, inspections, ncs, plan, project

urlpatterns: list[URLPattern | URLResolver] = [
    *project.urlpatterns,
    *plan.urlpatterns,
    *inspections.urlpatterns,
    *ncs.urlpatterns,
    *acceptance.urlpatterns,
]
