"""Files attached to tenant records: the registry of attachable models, sniffing, storage and services.

An app makes a model attachable in its ``AppConfig.ready()``::

    from pmo.attachments import register_attachable

    register_attachable(ChangeRequest, view=Action.PROJECT_VIEW, change=Action.CHANGE_REQUEST_CREATE,
                        project=lambda change_request: change_request.project)
"""

from pmo.attachments.registry import Attachable, attachable_for, attachable_named, register_attachable

__all__ = ["Attachable", "attachable_for", "attachable_named", "register_attachable"]
