"""Reading submitted forms into plain values."""

from __future__ import annotations

from starlette.datastructures import FormData, UploadFile
from starlette.requests import Request

from web.security import PARSED_FORM


async def parsed_form(request: Request) -> FormData:
    """The submitted form, parsed once (the CSRF check may have parsed it already)."""
    form = request.scope.get("state", {}).get(PARSED_FORM)
    return form if isinstance(form, FormData) else await request.form()


async def form_fields(request: Request) -> dict[str, str]:
    """Text fields of a submitted form, stripped; uploads are left out."""
    form = await parsed_form(request)
    return {k: v.strip() for k, v in form.items() if isinstance(v, str)}


async def upload(request: Request, name: str) -> UploadFile | None:
    form = await parsed_form(request)
    value = form.get(name)
    return value if isinstance(value, UploadFile) and value.filename else None


def safe_next(value: str | None, default: str = "/") -> str:
    """Only same-site paths: never redirect to another host after sign-in."""
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return default
