"""The pages of attachments: upload to a record, download, thumbnail, delete, and a record's files.

A record's own page shows its files with ``{% include "pmo/includes/attachments.html" with parent=obj %}``;
records without a page of their own (a cost line, a passed gate) link to ``RecordFilesView``.
Every form returns to the page it came from.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import BadRequest
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.generic import TemplateView, View

from pmo.attachments import services
from pmo.attachments.access import ParentAccess, attachment_access, parent_access, record_action
from pmo.attachments.downloads import download_response, thumbnail_response
from pmo.attachments.files import check_unreadable_parts
from pmo.errors import ApplicationError
from pmo.models import Attachment
from pmo.pages import OrganizationPageMixin
from pmo.policy import Action


class _AttachmentPage(OrganizationPageMixin):
    # Every member passes the base check; the parent's own actions decide (``ParentAccess``).
    read_action = Action.ORG_VIEW
    write_action = Action.ORG_VIEW

    def back_url(self, access: ParentAccess | None = None) -> str:
        wanted = self.request.POST.get("next") or self.request.GET.get("next") or ""
        if wanted and url_has_allowed_host_and_scheme(
            wanted, allowed_hosts={self.request.get_host()}, require_https=self.request.is_secure()
        ):
            return wanted
        if access is not None and access.attachable.url is not None:
            return access.attachable.url(access.parent)
        if access is not None:
            return record_files_url(self.organization.slug, access)
        return "/"


def record_files_url(org_slug: str, access: ParentAccess) -> str:
    from django.urls import reverse
    from django.utils.http import urlencode

    query = urlencode({"parent_type": access.attachable.name, "parent_id": access.parent.pk})
    return f"{reverse('org-attachments', kwargs={'org_slug': org_slug})}?{query}"


class RecordFilesView(_AttachmentPage, TemplateView):
    """A record's files on a page of their own (GET), and the upload of files to any record (POST)."""

    template_name = "pmo/attachments.html"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.GET.get("parent_type") or not request.GET.get("parent_id"):
            # A bare link names no record: the organisation's home page instead.
            return redirect("org-home", org_slug=self.organization.slug)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        access = parent_access(self.membership, self.request.GET.get("parent_type"), self.request.GET.get("parent_id"))
        access.require_view()
        context = super().get_context_data(**kwargs)
        context["parent"] = access.parent
        context["parent_label"] = access.attachable.label()
        context["parent_title"] = access.attachable.title_of(access.parent)
        context["parent_url"] = access.attachable.url(access.parent) if access.attachable.url else ""
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        parent_type, parent_id = request.POST.get("parent_type"), request.POST.get("parent_id")
        if not parent_type or not parent_id:
            raise BadRequest("parent_type and parent_id name the record")
        access = parent_access(self.membership, parent_type, parent_id)
        access.require_change()
        uploads = [*request.FILES.getlist("files"), *request.FILES.getlist("photos")]
        try:
            check_unreadable_parts(
                [*request.POST.getlist("files"), *request.POST.getlist("photos")],
                len(uploads),
                request.META.get("CONTENT_LENGTH"),
            )
            added = services.attachments_add(
                actor=request.user,  # type: ignore[arg-type]
                organization=self.organization,
                parent=access.parent,
                uploads=uploads,
            )
        except ApplicationError as error:
            messages.error(request, error.message)
            problems = error.fields.get("files", [])
            if len(problems) > 1:
                for problem in problems:
                    messages.error(request, problem)
        else:
            messages.success(
                request,
                ngettext("%(count)d file attached.", "%(count)d files attached.", len(added)) % {"count": len(added)},
            )
        return HttpResponseRedirect(self.back_url(access))


class _OneAttachment(_AttachmentPage, View):
    model = Attachment
    attachment: Attachment
    access: ParentAccess

    @classmethod
    def record_action(cls, method: str, attachment: Attachment) -> Any:
        """The action the request needs: the record's view action to read, its change action to write."""
        return record_action(method, attachment)

    def resolve_scope(self, **url_kwargs: Any) -> None:
        self.attachment = get_object_or_404(
            Attachment.objects.for_organization(self.organization).select_related("content_type", "organization"),
            pk=url_kwargs["pk"],
        )
        self.access = attachment_access(self.membership, self.attachment)
        self.access.require_view()


class AttachmentDownloadView(_OneAttachment):
    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        return download_response(self.attachment, viewable_inline=True)


class AttachmentThumbnailView(_OneAttachment):
    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        return thumbnail_response(self.attachment)


class AttachmentDeleteView(_OneAttachment):
    http_method_names = ["post"]

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.access.require_delete(self.attachment)
        name = self.attachment.name
        services.attachment_delete(actor=request.user, attachment=self.attachment)  # type: ignore[arg-type]
        messages.success(request, _("“%(name)s” deleted.") % {"name": name})
        return HttpResponseRedirect(self.back_url(self.access))
