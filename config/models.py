"""The project has no models of its own. The module exists so that Django sends the project's
app its post_migrate signal (config/apps.py), which it sends only to apps with models."""
