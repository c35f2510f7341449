from django.contrib.auth import authenticate, get_user_model
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import AuthenticationFailed, ValidationError
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from api.permissions import BasePermission
from api.views.base import ApiView
from surveys.models import ApiToken
from surveys.roles import role_of
from surveys.services.tokens import token_create, token_revoke, tokens_revoke_all
from surveys.vocab import Role


class LoginSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=200, trim_whitespace=False)
    device = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


TokenSerializer = inline_serializer("Token", {
    "token": serializers.CharField(), "expires_at": serializers.DateTimeField(), "device": serializers.CharField(),
})


class TokenView(APIView):
    """Exchange a username and password for a device token; DELETE revokes the token used.

    Failed logins are throttled by client address and by username in `authenticate()`
    (surveys/login_throttle.py): a 429 with Retry-After.
    """

    def _method(self) -> str | None:
        return getattr(self.request, "method", None)  # no request while the schema is generated

    def get_authenticators(self):
        # Logging in needs no credentials; revoking needs the token itself.
        return [] if self._method() == "POST" else super().get_authenticators()

    def get_permissions(self):
        return [AllowAny()] if self._method() == "POST" else [IsAuthenticated()]

    def get_authenticate_header(self, request):
        return "Token"  # wrong credentials are a 401, also where no authenticator ran

    @extend_schema(request=LoginSerializer, responses={201: TokenSerializer}, auth=[])
    def post(self, request):
        login = LoginSerializer(data=request.data)
        login.is_valid(raise_exception=True)
        user = authenticate(request, username=login.validated_data["username"],
                            password=login.validated_data["password"])
        if user is None or role_of(user) is None:
            raise AuthenticationFailed("Wrong username or password.")
        token, key = token_create(user=user, device=login.validated_data["device"])
        return Response({"token": key, "expires_at": token.expires_at, "device": token.device},
                        status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={204: OpenApiResponse(description="Token revoked.")})
    def delete(self, request):
        if not isinstance(request.auth, ApiToken):
            raise ValidationError({"detail": ["Only a token can revoke itself; send it in the Authorization header."]})
        token_revoke(token=request.auth)
        return Response(status=status.HTTP_204_NO_CONTENT)


class AdminsOnly(BasePermission):
    def has_permission(self, request, view):
        return role_of(request.user) == Role.ADMIN


class RevokeUserTokensView(ApiView):
    """Admins revoke every token of a user (a lost phone)."""

    permission_classes = [AdminsOnly]

    @extend_schema(request=None, responses={200: inline_serializer("Revoked", {"revoked": serializers.IntegerField()})})
    def post(self, request, username: str):
        user = get_object_or_404(get_user_model(), username=username)
        return Response({"revoked": tokens_revoke_all(user=user, actor=request.user)})
