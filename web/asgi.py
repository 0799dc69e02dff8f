"""ASGI entry point for uvicorn workers: settings from the environment."""

import os

from web.app import create_app
from web.settings import Settings

app = create_app(Settings.from_env(os.environ))
