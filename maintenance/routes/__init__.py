"""Page routes of the maintenance app, one module per part (maintenance/urls.py, maintenance/project_urls.py)."""
