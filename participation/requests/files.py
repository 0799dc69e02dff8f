"""Photos and attachments of requests: images only, checked from their bytes with
the same rules and budget as community budget photos."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from participation.budgets.proposals import PHOTO_MAX_BYTES
from participation.budgets.rules import image_type, photo_size_problem
from participation.errors import N_, DomainError
from participation.requests.models import RequestFile

#: At most this many photos with one request or one handling record.
MAX_FILES = 4


def checked_images(images: Sequence[bytes], field: str = "photos") -> list[tuple[str, bytes]]:
    """(content type, bytes) of each image, or a refusal naming the form field."""
    if len(images) > MAX_FILES:
        message = N_("Attach at most 4 photos.")
        raise DomainError("request.photos", message, fields={field: message})
    checked = []
    for data in images:
        content_type = image_type(data)
        if content_type is None:
            message = N_("The photo must be a JPEG, PNG or WebP image.")
            raise DomainError("request.photo", message, fields={field: message})
        if len(data) > PHOTO_MAX_BYTES:
            message = N_("The photo is larger than 2 MB.")
            raise DomainError("request.photo", message, fields={field: message})
        problem = photo_size_problem(data)
        if problem:
            raise DomainError("request.photo", problem, fields={field: problem})
        checked.append((content_type, data))
    return checked


def store(
    session: Session, request_id: int, images: list[tuple[str, bytes]], step_id: int | None = None
) -> None:
    for content_type, data in images:
        session.add(
            RequestFile(
                request_id=request_id, step_id=step_id, content_type=content_type, data=data
            )
        )


def file_ids(session: Session, request_id: int) -> list[tuple[int, int | None]]:
    """(file id, step id) of a request's files, in order."""
    rows = session.execute(
        select(RequestFile.id, RequestFile.step_id)
        .where(RequestFile.request_id == request_id)
        .order_by(RequestFile.id)
    )
    return [(r.id, r.step_id) for r in rows]


def get_file(session: Session, request_id: int, file_id: int) -> RequestFile:
    found = session.get(RequestFile, file_id)
    if found is None or found.request_id != request_id:
        raise DomainError("request.no_file", N_("No such photo."), status=404)
    return found
