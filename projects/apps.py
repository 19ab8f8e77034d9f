from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = _("Projects")

    def ready(self) -> None:
        from pmo.demo import demo_parts
        from projects import demo

        demo_parts.register("projects", demo.seed)

        from pmo.services import calendar_change_listeners
        from projects.services.schedule import calendar_changed

        calendar_change_listeners.append(calendar_changed)

        from pmo.policy import permissions
        from projects.models import ProjectRole
        from projects.permissions import GRANTS, ProjectAction

        permissions.declare_project_roles(ProjectRole)
        permissions.register(ProjectAction, GRANTS)

        from projects import attachments as project_attachments

        project_attachments.register()
