from django.db import transaction

from surveys.errors import Gone
from surveys.models import Photo
from surveys.services.audit import audit_record
from surveys.services.photos import photo_files_delete_on_commit


def photo_file_open(*, photo: Photo, variant: str, actor):
    """Open a stored variant for streaming; every access to an original is audited.

    A row whose file has gone from storage (lost outside the application) is a 410, not a 5xx.
    """
    field = {"original": photo.original, "display": photo.display, "thumbnail": photo.thumbnail}[variant]
    if not field:
        return None
    try:
        stream = field.open("rb")
    except FileNotFoundError:
        raise Gone(f"The stored {variant} file of this photo is missing.") from None
    if variant == "original":
        audit_record(actor=actor, action="photo.original_access", obj=photo, changes={"sha256": photo.sha256})
    return stream


@transaction.atomic
def photo_delete(*, photo: Photo, actor) -> None:
    """Refused for reporters when a decided discrepancy was decided with this photo (409)."""
    from surveys.services.evidence import evidence_change_check

    resting = evidence_change_check(actor=actor, photo=photo)
    audit_record(actor=actor, action="photo.delete", obj=photo,
                 changes={"sha256": photo.sha256, "visit": str(photo.visit_id), "rests_on": resting})
    photo_files_delete_on_commit([photo])
    photo.delete()
