"""The quality app's pages (HTML), one module per part."""
