"""HTTP only: the app factory, settings, sessions, auth, i18n, routes and templates."""

# Before any route is built: bounds every {id:int} path parameter (see web.kit.routing).
from web.kit import routing as _routing  # noqa: F401
