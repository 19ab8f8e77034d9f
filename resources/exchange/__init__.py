"""File formats other programs read and write: MS Project XML (MSPDI)."""
