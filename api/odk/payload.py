"""A parsed instance judged by the JSON API's own serializers, so both doors accept and refuse alike."""
from rest_framework.exceptions import ValidationError

from api.odk.errors import OdkError
from api.serializers.entities import SiteSerializer
from api.serializers.visits import ObservationSerializer, VisitSerializer
from surveys.odk.form import NEW_SITE
from surveys.odk.instance import Instance
from surveys.selectors.scoping import sites_for
from surveys.services.submissions import SubmissionPayload


def _message(prefix: str, errors) -> str:
    if isinstance(errors, dict):
        return "; ".join(_message(f"{prefix}{name}" if not prefix else f"{prefix}.{name}", value)
                         for name, value in errors.items())
    if isinstance(errors, list):
        return "; ".join(_message(prefix, value) for value in errors)
    return f"{prefix}: {errors}" if prefix else str(errors)


def _validated(serializer_class, data: dict, *, request, without: str, where: str) -> dict:
    serializer = serializer_class(data=data, context={"request": request})
    serializer.fields.pop(without)
    try:
        serializer.is_valid(raise_exception=True)
    except ValidationError as error:
        raise OdkError(f"The submission is not valid: {_message(where, error.detail)}", status=400,
                       code=400.8) from None
    return dict(serializer.validated_data)


def _site(instance: Instance, request) -> tuple[object | None, dict | None]:
    value = instance.values.get("site", "")
    if value == NEW_SITE:
        point = instance.values.get("new_site_location")
        new_site = _validated(SiteSerializer, {
            "name": instance.values.get("new_site_name", ""), "latitude": getattr(point, "latitude", None),
            "longitude": getattr(point, "longitude", None)}, request=request, without="id", where="new_site_")
        return None, {name: new_site[name] for name in ("name", "latitude", "longitude")}
    site = sites_for(request.user).select_related(None).only("id", "latitude", "longitude", "merged_into_id").filter(pk=int(value)).first() \
        if value.isdigit() else None
    if site is None:
        raise OdkError(f"The submission is not valid: site: unknown site {value[:40]!r}.", status=400, code=400.8)
    return site, None


def submission_payload(request, instance: Instance, xml: bytes) -> SubmissionPayload:
    values = instance.values
    location = values.get("location")
    visit = {"notes": values.get("notes", ""), "observed_status": values.get("observed_status", ""),
             "activity_level": values.get("activity_level"), "activity_signs": values.get("activity_signs", []),
             "ended_at": values.get("ended"), "latitude": getattr(location, "latitude", None),
             "longitude": getattr(location, "longitude", None), "followup_of": values.get("followup_of")}
    if "started" in values:
        visit["started_at"] = values["started"]
    site, new_site = _site(instance, request)
    observations = []
    for entry in instance.observations:
        data = {"source_role": "", "quote": "", "status_value": "", "low": None, "high": None, **entry.values}
        observations.append((entry.position, _validated(ObservationSerializer, data, request=request, without="visit",
                                                        where=f"observation[{entry.position}]")))
    return SubmissionPayload(
        instance=instance, xml=xml, site=site, new_site=new_site, observations=observations,
        visit_values=_validated(VisitSerializer, visit, request=request, without="site", where=""),
        device_id=request.GET.get("deviceID", ""), user_agent=request.META.get("HTTP_USER_AGENT", ""),
    )
