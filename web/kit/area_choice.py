"""One area field in a back-office form at any size of tree: one <select> of the
whole tree up to ``areas.FLAT_AREAS`` areas, else the level-by-level cascade
(``areas.area_step``, as /admin/volunteers and the requests place chooser do):
a GET of the page with ``?area=ID`` per step without JavaScript, htmx swapping
the block alone. Rendered by ``_area_step.html``'s ``area_field`` macro.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace

from sqlalchemy.orm import Session
from starlette.requests import Request

from participation.areas import Area, AreaStep, area_step
from web.kit.forms import record_id

#: The query parameter of a step down the tree.
STEP_PARAM = "area"


def area_choice(
    session: Session,
    request: Request,
    form: object = None,
    *,
    field: str = "area_id",
    allowed: Callable[[Area], bool] | None = None,
    under: Area | None = None,
) -> AreaStep:
    """The step reached: the area chosen in a refused ``form`` (its submitted fields,
    when the page is re-rendered), else
    ``?area=ID``; ``allowed`` keeps the areas one may pick (the chain and the next
    level stay shown to step through); ``under`` keeps the choice within that area's
    subtree (``area_step``). A bounded number of rows whatever the tree."""
    chosen = form.get(field) if isinstance(form, Mapping) else None
    at = record_id(chosen if isinstance(chosen, str) else None) or record_id(
        request.query_params.get(STEP_PARAM)
    )
    step = area_step(session, at, under=under)
    if allowed is None:
        return step
    return replace(step, options=[n for n in step.options if allowed(n.area)])
