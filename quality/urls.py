"""The quality section of an organisation, under /o/<org_slug>/quality/ (a project's pages: quality.project_urls)."""

from django.urls import URLPattern, URLResolver

from quality.routes import inspections, library, ncs, org

urlpatterns: list[URLPattern | URLResolver] = [
    *org.urlpatterns,
    *library.urlpatterns,
    *ncs.org_urlpatterns,
    *inspections.org_urlpatterns,
]
