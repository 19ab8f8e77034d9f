"""runserver that tells the app its own address, so that links in e-mails point where it listens."""

from __future__ import annotations

import os
from typing import Any

from django.conf import settings
from django.contrib.staticfiles.management.commands.runserver import Command as StaticFilesRunserver


def base_url_for(addr: str, port: str, *, ipv6: bool) -> str:
    """The URL people open for a server bound to addr:port (a wildcard address means this machine)."""
    if addr in {"0.0.0.0", ""}:  # noqa: S104 - naming the wildcard, not binding to it
        addr = "127.0.0.1"
    elif addr == "::":
        addr = "::1"
    host = f"[{addr}]" if ipv6 or ":" in addr else addr
    return f"http://{host}:{port}"


class Command(StaticFilesRunserver):
    # Set by runserver's handle() from the address it was given.
    addr: str
    port: str
    use_ipv6: bool

    def run(self, **options: Any) -> None:
        # PMO_BASE_URL set in the environment always wins; the settings default follows the server.
        if not os.environ.get("PMO_BASE_URL"):
            settings.PMO_BASE_URL = base_url_for(self.addr, self.port, ipv6=self.use_ipv6)
        super().run(**options)
