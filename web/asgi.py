"""ASGI entry point for uvicorn workers: settings from the environment."""

import gc
import os

from web.app import create_app
from web.settings import Settings

app = create_app(Settings.from_env(os.environ))

# What start-up made (routes, templates' environment, catalogs, SQLAlchemy's
# mappers) lives as long as the process: freeze it out of the collector, so that
# a full collection does not walk it again on some request. Measured in process on
# the whole city's data (httpx's ASGI transport, signed in): /volunteers 7.0 ms
# CPU a request with full collections of ~230 ms falling on 3 % of requests,
# 4.0 ms frozen. (create_app has loaded the catalogs.)
gc.collect()
gc.freeze()
