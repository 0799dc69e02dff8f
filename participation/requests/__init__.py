"""Resident requests (群众诉求): one window for intake, routing, handling, closing and
return visits. Services take the session and never commit; pure rules live in ``rules``."""
