"""The quality app's API (DRF)."""
