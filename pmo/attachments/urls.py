"""Attachment pages, under /o/<org_slug>/attachments/."""

from django.urls import URLPattern, path

from pmo.attachments import views

urlpatterns: list[URLPattern] = [
    path("", views.RecordFilesView.as_view(), name="org-attachments"),
    path("<int:pk>/download/", views.AttachmentDownloadView.as_view(), name="org-attachment-download"),
    path("<int:pk>/thumbnail/", views.AttachmentThumbnailView.as_view(), name="org-attachment-thumbnail"),
    path("<int:pk>/delete/", views.AttachmentDeleteView.as_view(), name="org-attachment-delete"),
]
