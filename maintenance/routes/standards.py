"""Page routes of the standards part: categories, a category with its criteria, a criterion with its versions."""

from django.urls import URLPattern, URLResolver, path

from maintenance.views import standards as views

#: Under /o/<org_slug>/maintenance/.
org_urlpatterns: list[URLPattern | URLResolver] = [
    path("standards/", views.CategoriesView.as_view(), name="org-maintenance-standards"),
    path("standards/<int:pk>/", views.CategoryView.as_view(), name="org-maintenance-standards-category"),
    path(
        "standards/<int:asset_category_id>/criteria/new/",
        views.CriterionCreateView.as_view(),
        name="org-maintenance-standards-criterion-create",
    ),
    path("standards/criteria/<int:pk>/", views.CriterionView.as_view(), name="org-maintenance-standards-criterion"),
]
#: Under /o/<org_slug>/projects/<project_id>/.
project_urlpatterns: list[URLPattern | URLResolver] = []
