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

        from pmo.project_directory import project_directory
        from projects import alert_kinds
        from projects.models import Project, ProjectMember, ProjectRole

        alert_kinds.register()
        project_directory.install(
            projects=Project.objects.for_organization,
            members=ProjectMember.objects.for_organization,
            roles=ProjectRole.choices,
        )

        from projects import navigation

        navigation.register()

        from projects.gate_checks import BASELINE_CHECK, gate_checks

        gate_checks.register(BASELINE_CHECK)
