from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = _("Projects")

    def ready(self) -> None:
        """Plug projects into the core's extension points (ARCHITECTURE.md)."""
        from pmo.demo import demo_parts
        from pmo.policy import permissions
        from pmo.project_directory import project_directory
        from pmo.services import calendar_change_listeners
        from projects import alert_kinds, attachments, calendar_sources, demo, jobs, navigation, runs
        from projects.gate_checks import BASELINE_CHECK, gate_checks
        from projects.models import Project, ProjectMember, ProjectRole
        from projects.permissions import GRANTS, ProjectAction
        from projects.services.schedule import calendar_changed

        permissions.declare_project_roles(ProjectRole)
        permissions.register(ProjectAction, GRANTS)
        alert_kinds.register()
        gate_checks.register(BASELINE_CHECK)
        navigation.register()
        attachments.register()
        demo_parts.register("projects", demo.seed)
        runs.register()
        calendar_sources.register()
        jobs.register()
        project_directory.install(
            projects=Project.objects.for_organization,
            members=ProjectMember.objects.for_organization,
            roles=ProjectRole.choices,
        )
        calendar_change_listeners.append(calendar_changed)
