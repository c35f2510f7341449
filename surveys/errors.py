"""Domain errors: what went wrong, with the HTTP status and the body it answers.

Services raise these, or Django's `ValidationError` for values that break a rule; the one
exception handler (api/errors.py) turns either into the contract's error shape
`{"detail": "...", "errors": {"field": ["..."]}}`, plus any extra keys an error carries
(`candidates` of an ambiguous claim text). Nothing here knows about DRF or HTTP requests,
so the desk pages, management commands and tasks can raise and catch the same errors.
"""


class DomainError(Exception):
    """A refusal the client can act on. `errors` names the fields at fault; `extra` adds body keys."""

    status = 400
    default_detail = "The request cannot be processed."

    def __init__(self, detail: str | None = None, *, errors: dict[str, list[str]] | None = None,
                 status: int | None = None, **extra):
        self.detail = str(detail or self.default_detail)
        self.errors = errors or {}
        self.extra = extra
        if status is not None:
            self.status = status
        super().__init__(self.detail)

    def body(self) -> dict:
        body = {"detail": self.detail}
        if self.errors:
            body["errors"] = self.errors
        return {**body, **self.extra}


class FieldError(DomainError):
    """A refusal about one field: the detail is also that field's message."""

    field = ""

    def __init__(self, detail: str | None = None, **kwargs):
        detail = str(detail or self.default_detail)
        super().__init__(detail, errors={self.field: [detail]}, **kwargs)


class Conflict(DomainError):
    status = 409
    default_detail = "This conflicts with an existing object."


class ClientIdConflict(Conflict):
    """A client id already used with other content, or by someone else. Reveals nothing more."""

    default_detail = "This id is already used by another object."


class NotReady(Conflict):
    """The object exists but what was asked of it is not there yet (an export still running)."""


class Gone(DomainError):
    status = 410
    default_detail = "This is no longer available."


class PayloadTooLarge(DomainError):
    status = 413

    def __init__(self, *, limit: int):
        super().__init__(too_large_message(limit))


def too_large_message(limit: int) -> str:
    return f"The file is larger than the limit of {limit:,} bytes."


class UploadRejected(FieldError):
    """An upload judged by its bytes: 400 (does not decode), 413 (too large) or 415 (not an image)."""

    field = "file"


class ImportFileError(FieldError):
    """A claims file that cannot be read as a whole."""

    field = "file"


class ClaimTextError(FieldError):
    """The text gives no single claim: nothing readable, or figures for several metrics."""

    field = "text"

    @property
    def candidates(self) -> list[dict]:
        return self.extra.get("candidates", [])


class ClaimTextAmbiguous(ClaimTextError):
    def __init__(self, detail: str, *, candidates: list[dict]):
        super().__init__(detail, candidates=candidates)


class ClaimTextUnreadable(ClaimTextError):
    pass


class IdempotencyKeyReused(DomainError):
    status = 422
    default_detail = "This Idempotency-Key was used for a different request."


class IdempotencyKeyInFlight(Conflict):
    default_detail = "A request with this Idempotency-Key is still being processed; retry later."


class EvidenceInUse(Conflict):
    """A reporter changing or deleting evidence a decided discrepancy rests on (`discrepancies` lists them)."""

    default_detail = ("A decided discrepancy rests on this evidence; ask an editor to reopen it before changing "
                      "or deleting it.")
