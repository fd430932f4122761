"""Entry point for gunicorn and `flask --app wsgi`: `app = create_app()` from the environment."""

from hub import create_app
from hub.cli.errors import StartupError
from hub.domain.errors import HubError
from hub.retention.domain import RetentionSettingError

try:
    app = create_app()
except (HubError, RetentionSettingError) as exc:  # a setting to fix, said in one line
    raise StartupError(str(exc)) from None
