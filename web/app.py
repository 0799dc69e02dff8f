"""The application factory: everything is built from settings, nothing at import time."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from sqlalchemy.orm import sessionmaker
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request, cookie_parser
from starlette.responses import RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.types import ASGIApp, Receive, Scope, Send

from participation import passwords, sealing
from participation.db import in_memory, make_engine
from participation.errors import DomainError
from participation.privacy.consent import NOTICE_VERSION
from participation.requests import tracking_keys
from web import routes
from web.accounts.consent_gate import ConsentGateMiddleware
from web.kit import errors, i18n
from web.kit.body_limit import BodyLimitMiddleware
from web.kit.dbsession import DatabaseSessionMiddleware
from web.kit.oidc import make_oauth, provider_origins
from web.kit.page_cache import SESSION_COOKIE, PageCacheMiddleware
from web.kit.routing import SegmentRouter
from web.kit.security import CSRFMiddleware, SecurityHeadersMiddleware, origin_of
from web.kit.static_urls import HTMX, PREFIX, VersionedStaticFiles, project_assets
from web.kit.templating import make_environment
from web.ops.metrics import Metrics
from web.ops.observe import ObserveMiddleware
from web.settings import Settings

#: The portal's icon (共 on the header's red), linked from base.html. /favicon.ico
#: leads to it without a version: a permanent redirect must not name one release's.
FAVICON = f"{PREFIX}img/favicon.svg"


class LocaleMiddleware:
    """Sets the request's locale from the ``lang`` cookie (default: settings)."""

    def __init__(self, app: ASGIApp, *, default: str) -> None:
        self.app = app
        self.default = default

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            cookie = None
            for name, value in scope["headers"]:
                if name == b"cookie":  # the first Cookie header, as Request.cookies reads
                    if b"lang=" in value:  # else nothing to parse
                        cookie = cookie_parser(value.decode("latin-1")).get("lang")
                    break
            i18n.current_locale.set(i18n.choose_locale(cookie, self.default))
        await self.app(scope, receive, send)


def create_app(settings: Settings) -> Starlette:
    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        app.state.engine.dispose()

    if settings.cheap_hashing:
        passwords.use_cheap_hashing()
    sealing.use_secret(settings.secret_key)  # sealed ballots and drafts (see README: secrecy)
    tracking_keys.use_key(settings.id_hash_key)  # resident requests' tracking secrets
    i18n.load_catalogs()
    development = settings.environment == "development"
    # Static URLs carry their file's hash (see web/kit/static_urls.py), watched while developing.
    static_assets = project_assets(watch=development)

    async def htmx_asset(request: Request) -> Response:
        return static_assets.vendor_response(HTMX, request.scope, "text/javascript")

    async def favicon(request: object) -> RedirectResponse:
        # Browsers and feed readers ask for /favicon.ico whatever the page links to.
        return RedirectResponse(FAVICON, status_code=301)

    middleware = [
        Middleware(ObserveMiddleware),  # outermost: sees every request and its status
        Middleware(
            SecurityHeadersMiddleware,
            hsts=settings.https,
            form_targets=provider_origins(settings),
        ),
        Middleware(
            SessionMiddleware,
            secret_key=settings.secret_key,
            session_cookie=SESSION_COOKIE,
            max_age=settings.session_max_age,
            same_site="lax",
            https_only=settings.https,
        ),
        Middleware(LocaleMiddleware, default=settings.default_locale),
        Middleware(ConsentGateMiddleware),  # a newer privacy notice is agreed to first
        Middleware(BodyLimitMiddleware),  # before anything reads the body
        # From here on, a request runs on a request thread (see web/kit/request_threads.py).
        Middleware(
            DatabaseSessionMiddleware,
            threads=0 if in_memory(settings.database_url) else settings.threads,
            wait=settings.db_pool_timeout,
            busy=errors.busy,
        ),
        # Public pages shown again while no table they read has changed (see there).
        Middleware(PageCacheMiddleware, megabytes=settings.page_cache_mb),
        Middleware(CSRFMiddleware, origin=origin_of(settings.base_url)),
    ]
    app = Starlette(
        middleware=middleware,
        exception_handlers={
            HTTPException: errors.http_exception,
            DomainError: errors.domain_error,
            Exception: errors.server_error,
        },
    )
    app.router = SegmentRouter(
        [
            Route(f"{PREFIX}{HTMX}", htmx_asset),
            Route("/favicon.ico", favicon),
            Mount("/static", VersionedStaticFiles(static_assets), name="static"),
            Route("/_error/{status:int}", errors.refused),
            *routes.all_routes(),
        ],
        lifespan=lifespan,
    )
    # Built here, not in the lifespan, so test clients without lifespan work too.
    app.state.settings = settings
    app.state.engine = make_engine(
        settings.database_url,
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_max_overflow,
        pool_timeout=settings.db_pool_timeout,
    )
    app.state.sessions = sessionmaker(app.state.engine, expire_on_commit=False)
    app.state.metrics = Metrics(app.state.engine)
    # Templates are read from disk again when edited only while developing.
    app.state.templates = make_environment(auto_reload=development, static_url=static_assets.url)
    app.state.privacy_notice_version = NOTICE_VERSION
    app.state.cast_targets = {}  # see web.ballots.public.cast_target
    app.state.oauth = make_oauth(settings) if settings.oidc_providers else None
    return app
