"""Files attached to records, over the API: upload (multipart), list, show, download, delete.

One endpoint serves every attachable record, named by ``parent_type`` (as registered, e.g.
``projects.changerequest``) and ``parent_id``. Seeing a record's files needs the action that
sees the record; attaching and deleting need the record's change action (``pmo.attachments``).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.http.response import HttpResponseBase
from django.urls import reverse
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, parsers, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from pmo.api import inputs
from pmo.api.base import OrganizationScopedMixin
from pmo.api.parsers import MultiPartParser
from pmo.api.serializers import UserSummarySerializer
from pmo.attachments import services
from pmo.attachments.access import ParentAccess, attachment_access, parent_access, record_action
from pmo.attachments.downloads import download_response, thumbnail_response
from pmo.attachments.files import check_unreadable_parts
from pmo.attachments.registry import attachable_for, attachables
from pmo.models import Attachment, User
from pmo.policy import Action

TAGS = ["attachments"]


def _parent_types() -> list[tuple[str, Any]]:
    return [(attachable.name, attachable.model._meta.verbose_name) for attachable in attachables()]


class ParentTypeField(serializers.ChoiceField):
    """One of the registered kinds of record (filled when the apps are ready)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=_parent_types(), **kwargs)


class AttachmentSerializer(inputs.ModelSerializer):
    schema_description = gettext_lazy("A file attached to a record.")

    parent_type = serializers.SerializerMethodField(help_text=gettext_lazy("The kind of record, as registered."))
    parent_id = serializers.IntegerField(source="object_id", read_only=True)
    media_type = serializers.CharField(read_only=True, help_text=gettext_lazy("The type read from the content."))
    uploaded_by = UserSummarySerializer(read_only=True, allow_null=True)
    download_url = serializers.SerializerMethodField()
    thumbnail_url = serializers.SerializerMethodField(
        help_text=gettext_lazy("A small JPEG of an image (JPEG, PNG, WebP, GIF); null for other files.")
    )

    class Meta:
        model = Attachment
        fields = [
            "id",
            "parent_type",
            "parent_id",
            "name",
            "size",
            "media_type",
            "sha256",
            "uploaded_by",
            "uploaded_at",
            "download_url",
            "thumbnail_url",
        ]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.STR)
    def get_parent_type(self, attachment: Attachment) -> str:
        attachable = attachable_for(attachment.content_type.model_class())  # type: ignore[arg-type]
        return attachable.name if attachable else attachment.content_type.model

    def _url(self, name: str, attachment: Attachment) -> str:
        url = reverse(name, kwargs={"org_slug": self.context["organization"].slug, "pk": attachment.pk})
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request is not None else url

    @extend_schema_field(OpenApiTypes.URI)
    def get_download_url(self, attachment: Attachment) -> str:
        return self._url("api-attachment-download", attachment)

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_thumbnail_url(self, attachment: Attachment) -> str | None:
        return self._url("api-attachment-thumbnail", attachment) if attachment.thumbnail_key else None


class AttachmentUploadSerializer(inputs.Serializer):
    schema_description = gettext_lazy("One or more files for one record, sent as multipart/form-data.")

    parent_type = ParentTypeField(help_text=gettext_lazy("The kind of record, e.g. projects.changerequest."))
    parent_id = serializers.IntegerField(min_value=1, help_text=gettext_lazy("The record's id."))
    files = serializers.ListField(
        child=serializers.FileField(allow_empty_file=True, use_url=False),
        allow_empty=True,
        required=False,
        help_text=gettext_lazy(
            "The files: repeat the part for several. Each is checked by its content (photos, PDF, Word, Excel, "
            "PowerPoint, CSV, text, DWG); one refused file refuses the request and nothing is stored."
        ),
    )


class AttachmentQuerySerializer(inputs.QuerySerializer):
    parent_type = ParentTypeField(help_text=gettext_lazy("The kind of record, e.g. projects.changerequest."))
    parent_id = serializers.IntegerField(min_value=1, help_text=gettext_lazy("The record's id."))


class AttachmentMultiPartParser(MultiPartParser):
    """Uploads of attachments: refused by announced length above the per-request limit (413)."""

    FORM_OVERHEAD_BYTES = 256 * 1024

    def limit(self) -> int:
        return int(settings.PMO_ATTACHMENT_MAX_REQUEST_BYTES)


FILE_RESPONSE = OpenApiResponse(
    response=OpenApiTypes.BINARY,
    description=gettext_lazy("The file, as an attachment, with its sniffed type."),
)


@extend_schema_view(
    list=extend_schema(
        summary=gettext_lazy("List a record's files"), tags=TAGS, parameters=[AttachmentQuerySerializer]
    ),
    retrieve=extend_schema(summary=gettext_lazy("Show an attached file's details"), tags=TAGS),
    create=extend_schema(
        summary=gettext_lazy("Attach files to a record"),
        tags=TAGS,
        request={"multipart/form-data": AttachmentUploadSerializer},
        responses={201: AttachmentSerializer(many=True)},
    ),
    destroy=extend_schema(summary=gettext_lazy("Delete an attached file"), tags=TAGS),
    download=extend_schema(
        summary=gettext_lazy("Download an attached file"),
        tags=TAGS,
        responses={
            (200, "application/octet-stream"): FILE_RESPONSE,
            302: OpenApiResponse(
                description=gettext_lazy(
                    "Where the server is set to (PMO_ATTACHMENT_PRESIGNED_SECONDS): a redirect to a signed URL "
                    "of the object store that expires within minutes."
                )
            ),
        },
    ),
    thumbnail=extend_schema(
        summary=gettext_lazy("An image's thumbnail"),
        tags=TAGS,
        responses={(200, "image/jpeg"): OpenApiResponse(response=OpenApiTypes.BINARY)},
    ),
)
class AttachmentViewSet(
    OrganizationScopedMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    schema_description = gettext_lazy(
        "Files attached to records (status reports, change requests, actual costs, stage gates, …). Files are "
        "checked by their content, stored under random names and only ever served through this API or the pages."
    )

    serializer_class = AttachmentSerializer
    queryset = Attachment.objects.all()
    # Every member passes the base check; the record's own actions decide.
    read_action = Action.ORG_VIEW
    write_action = Action.ORG_VIEW
    parser_classes = [AttachmentMultiPartParser, parsers.FormParser]
    http_method_names = ["get", "post", "delete", "head", "options"]
    filter_backends: list[Any] = []

    @classmethod
    def record_action(cls, method: str, attachment: Attachment) -> Any:
        """The action the request needs: the record's view action to read, its change action to write."""
        return record_action(method, attachment)

    def get_queryset(self) -> QuerySet[Attachment]:
        return (
            Attachment.objects.for_organization(self.organization)
            .select_related("content_type", "uploaded_by")
            .order_by("uploaded_at", "id")
        )

    def get_object(self) -> Attachment:
        attachment: Attachment = super().get_object()
        self.access = attachment_access(self.membership, attachment)
        self.access.require_view()
        return attachment

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        query = AttachmentQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        access = self._access(query.validated_data)
        access.require_view()
        queryset = self.get_queryset().filter(
            content_type__app_label=access.parent._meta.app_label,
            content_type__model=access.parent._meta.model_name,
            object_id=access.parent.pk,
        )
        page = self.paginate_queryset(queryset)
        rows = page if page is not None else list(queryset)
        data = self.get_serializer(rows, many=True).data
        return self.get_paginated_response(data) if page is not None else Response(data)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        sent = request.data.getlist("files") if hasattr(request.data, "getlist") else []
        check_unreadable_parts(
            sent, sum(1 for value in sent if not isinstance(value, str)), request.META.get("CONTENT_LENGTH")
        )
        payload = AttachmentUploadSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        access = self._access(payload.validated_data)
        access.require_change()
        added = services.attachments_add(
            actor=self._actor(request),
            organization=self.organization,
            parent=access.parent,
            uploads=payload.validated_data.get("files", []),
        )
        return Response(self.get_serializer(added, many=True).data, status=status.HTTP_201_CREATED)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        attachment = self.get_object()
        self.access.require_delete(attachment)
        services.attachment_delete(actor=self._actor(request), attachment=attachment)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @action(detail=True, methods=["get"])
    def download(self, request: Request, *args: Any, **kwargs: Any) -> HttpResponseBase:
        return download_response(self.get_object())

    @action(detail=True, methods=["get"])
    def thumbnail(self, request: Request, *args: Any, **kwargs: Any) -> HttpResponseBase:
        return thumbnail_response(self.get_object())

    def _access(self, data: dict[str, Any]) -> ParentAccess:
        return parent_access(self.membership, data["parent_type"], data["parent_id"])

    @staticmethod
    def _actor(request: Request) -> User:
        user: User = request.user  # type: ignore[assignment]
        return user
