"""The ASGI application for a worker process.

``create_app()`` lets any ASGI server host IronBucket instead of the built-in one, e.g.
``uvicorn --factory ironbucket.server.app_factory:create_app`` with settings from the
``IRONBUCKET_*`` environment (the data directory must have been bootstrapped by
``ironbucket serve`` once).
"""

from __future__ import annotations

from ironbucket import config
from ironbucket.config import Settings
from ironbucket.http.app import IronBucketApp
from ironbucket.server.services import close_services, open_services


def build_app(settings: Settings) -> IronBucketApp:
    return IronBucketApp(lambda: open_services(settings), close_services)


def create_app() -> IronBucketApp:
    return build_app(config.load())
