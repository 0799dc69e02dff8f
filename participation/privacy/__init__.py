"""Personal-information rights (PIPL): the versioned privacy notice and consent to it,
downloading one's data, and closing one's account.

Which tables hold a person's data, and what exporting and closing do with each, is
one list of per-table entries (:mod:`participation.privacy.tables`); the domains
above the civic core (consultations, volunteers) add theirs in their own
``privacy`` module, and the web layer joins the lists.
"""
