"""HTTP only: the app factory, settings, sessions, auth, i18n, routes and templates."""
