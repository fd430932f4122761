"""Entry point for gunicorn and `flask --app wsgi`: `app = create_app()` from the environment."""

from hub import create_app

app = create_app()
