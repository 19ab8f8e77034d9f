"""The quality app's write path: every write is a service here (ARCHITECTURE.md, "Quality")."""
