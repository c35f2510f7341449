from rest_framework import mixins

from api.serializers.followups import FollowupRequestSerializer
from api.views.base import ApiViewSet
from surveys.filters import FollowupFilter
from surveys.selectors.followups import followup_requests


class FollowupViewSet(mixins.ListModelMixin, ApiViewSet):
    """Follow-up requests, longest waiting first: a reporter's on their own evidence, every one for editors.

    `?answered=false` lists those still waiting for a visit (and for how long).
    """

    serializer_class = FollowupRequestSerializer
    filterset_class = FollowupFilter

    def get_queryset(self):
        return followup_requests(self.request.user)
