from django.db import transaction

from surveys.models import Photo
from surveys.services.audit import audit_record
from surveys.services.photos import photo_files_delete_on_commit


def photo_file_open(*, photo: Photo, variant: str, actor):
    """Open a stored variant for streaming; every access to an original is audited."""
    field = {"original": photo.original, "display": photo.display, "thumbnail": photo.thumbnail}[variant]
    if not field:
        return None
    if variant == "original":
        audit_record(actor=actor, action="photo.original_access", obj=photo, changes={"sha256": photo.sha256})
    return field.open("rb")


@transaction.atomic
def photo_delete(*, photo: Photo, actor) -> None:
    audit_record(actor=actor, action="photo.delete", obj=photo, changes={"sha256": photo.sha256})
    photo_files_delete_on_commit([photo])
    photo.delete()
