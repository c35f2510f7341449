"""ODK submissions become visits, observations and photos through the same services as the JSON API.

The rules are ODK Central's:
- the first instanceID names the submission and is the visit's id;
- the same instanceID with byte-identical XML adds the attachments not yet stored (Collect
  re-sends, and splits a large submission over several POSTs marked *isIncomplete*);
- other XML under a known instanceID is a conflict;
- an instance whose meta/deprecatedID is the current instanceID is an edit of the visit.

Observations get ids derived from the visit and their repeat position, photos from the visit
and the attachment's file name, so a retry or an edit lands on the same rows. A photo row
exists only once its file is stored; until then the attachment is expected.
"""
import hashlib
import uuid
from dataclasses import dataclass, field

from django.core.files.storage import default_storage
from django.db import transaction

from surveys.errors import ClientIdConflict, DomainError
from surveys.models import FormVersion, OdkAttachment, OdkComment, OdkInstance, OdkSubmission, Photo, Visit
from surveys.odk.instance import Instance
from surveys.roles import is_editor
from surveys.services.audit import audit_record
from surveys.services.common import insert_unless_taken
from surveys.services.entities import site_save
from surveys.services.photos import photo_create
from surveys.services.visits import observation_create, observation_delete, observation_update, visit_create, visit_update

ODK_NAMESPACE = uuid.UUID("2b0f7c1e-5d8a-4f39-9e61-0c4d7a3b9f52")


class SubmissionRefused(DomainError):
    """A submission that cannot be taken, with its HTTP status and ODK Central's problem code."""

    def __init__(self, message: str, *, status: int, code: float):
        super().__init__(message, status=status)
        self.code = code


def _conflict_other_xml() -> SubmissionRefused:
    return SubmissionRefused("A submission already exists with this ID, but with different XML. Resubmissions to "
                             "attach additional multimedia must resubmit an identical xml_submission_file.",
                             status=409, code=409.1)


def _out_of_date(instance_id: str) -> SubmissionRefused:
    return SubmissionRefused(f"You tried to update a submission, but the copy you were editing ({instance_id}) is now "
                             "out of date. Please get the new version that has been submitted, and make your edits "
                             "again.", status=409, code=409.9)


def observation_id(visit_id, position: int) -> uuid.UUID:
    return uuid.uuid5(ODK_NAMESPACE, f"{visit_id}/observation/{position}")


def photo_id(visit_id, filename: str) -> uuid.UUID:
    return uuid.uuid5(ODK_NAMESPACE, f"{visit_id}/photo/{filename}")


@dataclass
class SubmissionPayload:
    """A parsed instance with its values already validated as the JSON API validates them."""

    instance: Instance
    xml: bytes
    visit_values: dict  # without "site"
    site: object | None  # an existing Site, or None with new_site
    new_site: dict | None
    observations: list[tuple[int, dict]]  # (repeat position, values without "visit")
    device_id: str = ""
    user_agent: str = ""
    stored_files: list[str] = field(default_factory=list, repr=False)  # by this POST: deleted if it rolls back


def xml_sha256(xml: bytes) -> str:
    return hashlib.sha256(xml).hexdigest()


def form_version_remember(*, version: str, md5: str, media_md5: str) -> None:
    """Record a served form version, so that submissions made with it are recognised later."""
    FormVersion.objects.get_or_create(version=version, defaults={"md5": md5, "media_md5": media_md5})


def form_version_known(version: str) -> bool:
    return FormVersion.objects.filter(pk=version).exists()


def submission_receive(*, submitter, payload: SubmissionPayload, files: dict) -> tuple[OdkSubmission, bool]:
    """Take one POST of a submission (new, resubmitted or edited); whether it created the submission.

    Everything is written in one transaction: a refusal or a failure leaves nothing,
    and a photo file stored for a row that was rolled back is deleted again.
    """
    try:
        with transaction.atomic():
            if payload.instance.deprecated_id:
                return _edit(submitter=submitter, payload=payload, files=files), False
            return _create_or_resubmit(submitter=submitter, payload=payload, files=files)
    except BaseException:
        for name in payload.stored_files:
            default_storage.delete(name)
        raise


def _create_or_resubmit(*, submitter, payload: SubmissionPayload, files: dict) -> tuple[OdkSubmission, bool]:
    instance = payload.instance
    known = OdkInstance.objects.filter(pk=instance.instance_id).first()
    if known is None:
        record = OdkSubmission(
            visit_id=instance.visit_id, instance_id=instance.instance_id, xml=payload.xml,
            form_version=instance.version, submitter=submitter, device_id=payload.device_id[:200],
            user_agent=payload.user_agent[:400], instance_name=instance.instance_name[:400],
            location_accuracy_m=getattr(instance.values.get("location"), "accuracy", None),
        )
        # Concurrent first POSTs of one instanceID wait here on the key; one goes on.
        if insert_unless_taken(record, any_unique=True):  # the instanceID is unique too
            OdkInstance.objects.create(instance_id=instance.instance_id, submission=record,
                                       xml_sha256=xml_sha256(payload.xml))
            _apply(record=record, submitter=submitter, payload=payload, files=files, visit=None)
            return record, True
        known = OdkInstance.objects.filter(pk=instance.instance_id).first()
        if known is None:  # the visit id is another submission's, under another instanceID
            raise _conflict_other_xml()
    return _resubmission(known=known, submitter=submitter, payload=payload, files=files), False


def _locked_submission(submission_id, submitter) -> OdkSubmission:
    record = OdkSubmission.objects.select_for_update().select_related("visit").get(pk=submission_id)
    if record.submitter_id != submitter.pk and not is_editor(submitter):
        raise _conflict_other_xml()  # someone else's: reveal nothing
    return record


def _resubmission(*, known: OdkInstance, submitter, payload: SubmissionPayload, files: dict) -> OdkSubmission:
    record = _locked_submission(known.submission_id, submitter)
    if record.instance_id != known.instance_id:
        raise _out_of_date(known.instance_id)
    if known.xml_sha256 != xml_sha256(payload.xml):
        raise _conflict_other_xml()
    _store_expected(record=record, visit=record.visit, payload=payload, files=files)
    return record


def _edit(*, submitter, payload: SubmissionPayload, files: dict) -> OdkSubmission:
    instance = payload.instance
    previous = OdkInstance.objects.filter(pk=instance.deprecated_id).first()
    if previous is None:
        raise SubmissionRefused("You tried to update an existing submission, but we can't find that submission to "
                                f"update ({instance.deprecated_id})", status=404, code=404.5)
    record = _locked_submission(previous.submission_id, submitter)
    again = OdkInstance.objects.filter(pk=instance.instance_id).first()
    if again is not None:  # this edit was taken already: a retry adds attachments only
        if again.submission_id != record.pk:
            raise SubmissionRefused("You tried to update a submission, but the instanceID you provided already exists "
                                    "on this server. Please try again with a unique instanceID.", status=409, code=409.8)
        return _resubmission(known=again, submitter=submitter, payload=payload, files=files)
    if record.instance_id != previous.instance_id:
        raise _out_of_date(previous.instance_id)
    before = record.instance_id
    record.instance_id, record.xml, record.form_version = instance.instance_id, payload.xml, instance.version
    record.instance_name = instance.instance_name[:400]
    record.location_accuracy_m = getattr(instance.values.get("location"), "accuracy", None)
    record.edits += 1
    record.review_state = OdkSubmission.ReviewState.EDITED
    record.save()
    OdkInstance.objects.create(instance_id=instance.instance_id, submission=record, xml_sha256=xml_sha256(payload.xml))
    _apply(record=record, submitter=submitter, payload=payload, files=files, visit=record.visit)
    audit_record(actor=submitter, action="submission.edit", obj=record, changes={"instance_id": [before, record.instance_id]})
    return record


def _site_for(*, submitter, payload: SubmissionPayload):
    if payload.site is not None:
        return payload.site
    return site_save(site=None, values=payload.new_site, actor=submitter, as_editor=is_editor(submitter))


def _apply(*, record: OdkSubmission, submitter, payload: SubmissionPayload, files: dict, visit: Visit | None) -> None:
    """The visit, its observations and photos as the instance says, through the JSON API's services."""
    values = {**payload.visit_values, "site": _site_for(submitter=submitter, payload=payload)}
    if visit is None:
        try:
            visit, _ = visit_create(reporter=submitter, client_id=record.visit_id, values=values)
        except ClientIdConflict:
            raise _conflict_other_xml() from None
    else:
        visit = visit_update(visit=visit, values=values, actor=submitter)
    _apply_observations(visit=visit, submitter=submitter, observations=payload.observations)
    _store_expected(record=record, visit=visit, payload=payload, files=files)


def _apply_observations(*, visit: Visit, submitter, observations: list[tuple[int, dict]]) -> None:
    wanted = {observation_id(visit.pk, position): values for position, values in observations}
    own = {observation.pk: observation for observation in visit.observations.filter(extracted=False)}
    for pk, values in wanted.items():
        if pk in own:
            observation_update(observation=own[pk], values=values, actor=submitter)
        else:
            try:
                observation_create(reporter=visit.reporter, client_id=pk, values={**values, "visit": visit})
            except ClientIdConflict:
                raise _conflict_other_xml() from None
    # Repeats that an edit removed; observations added through the JSON API keep their own ids.
    positions = range(1, len(own) + len(wanted) + 1)
    for pk in {observation_id(visit.pk, position) for position in positions} & own.keys() - wanted.keys():
        observation_delete(observation=own[pk], actor=submitter)


def _store_expected(*, record: OdkSubmission, visit: Visit, payload: SubmissionPayload, files: dict) -> None:
    """Note every attachment the XML names; store those that came with this POST and are still missing."""
    for photo in payload.instance.photos:
        attachment, _ = OdkAttachment.objects.get_or_create(submission=record, name=photo.filename,
                                                            defaults={"caption": photo.caption[:1000]})
        if attachment.caption != photo.caption[:1000]:
            attachment.caption = photo.caption[:1000]
            attachment.save(update_fields=["caption"])
            if attachment.photo_id:
                Photo.objects.filter(pk=attachment.photo_id).update(caption=attachment.caption)
        upload = files.get(photo.filename)
        if upload is not None and attachment.photo_id is None:
            _store(attachment=attachment, visit=visit, upload=upload, stored=payload.stored_files)


def _store(*, attachment: OdkAttachment, visit: Visit, upload, stored: list[str]) -> Photo:
    photo, created = photo_create(visit=visit, client_id=photo_id(visit.pk, attachment.name), upload=upload,
                                  caption=attachment.caption)
    if created:
        stored.append(photo.original.name)
    attachment.photo = photo
    attachment.save(update_fields=["photo"])
    return photo


def submission_attachment_store(*, record: OdkSubmission, name: str, upload, actor) -> Photo:
    """An attachment uploaded on its own (pyodk, Central's REST API): only one the XML names and still lacks."""
    stored: list[str] = []
    try:
        with transaction.atomic():
            attachment = OdkAttachment.objects.select_for_update().filter(submission=record, name=name).first()
            if attachment is None:
                raise SubmissionRefused("Could not find the resource you were looking for.", status=404, code=404.1)
            if attachment.photo_id is not None:
                raise SubmissionRefused("This attachment is stored already; evidence is never replaced.",
                                        status=409, code=409.3)
            photo = _store(attachment=attachment, visit=record.visit, upload=upload, stored=stored)
            audit_record(actor=actor, action="submission.attachment", obj=record, changes={"name": name})
            return photo
    except BaseException:
        for stored_name in stored:
            default_storage.delete(stored_name)
        raise


@transaction.atomic
def submission_review(*, record: OdkSubmission, review_state: str, actor) -> OdkSubmission:
    if review_state not in OdkSubmission.ReviewState.values:
        raise SubmissionRefused(f"Unexpected reviewState value {review_state}; use one of "
                                f"{', '.join(OdkSubmission.ReviewState.values)}.", status=400, code=400.8)
    before = record.review_state
    record.review_state = review_state
    record.save(update_fields=["review_state", "updated_at"])
    audit_record(actor=actor, action="submission.review", obj=record, changes={"review_state": [before, review_state]})
    return record


@transaction.atomic
def submission_comment_add(*, record: OdkSubmission, body: str, actor) -> OdkComment:
    if not body.strip():
        raise SubmissionRefused("Required parameter body missing.", status=400, code=400.2)
    comment = OdkComment.objects.create(submission=record, author=actor, body=body[:10000])
    audit_record(actor=actor, action="submission.comment", obj=record, changes={"comment": comment.pk})
    return comment
