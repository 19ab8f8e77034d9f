"""Page routes of the resources app, one module per part (resources/urls.py, resources/project_urls.py)."""
