"""Signing a tablet in and out, and a user's signed-in devices; who may record
inspections."""

from django.contrib.auth import authenticate
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import generics, serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import city_staff, devices, guard, policy
from accounts.models import DeviceToken
from api.exceptions import ApiError
from api.permissions import IsCityStaff
from api.serializers import ErrorSerializer
from api.tablet import examples
from inspections import selectors


def request_device(request) -> DeviceToken | None:
    """The device token the request was made with (None for a browser session)."""
    return request.auth if isinstance(request.auth, DeviceToken) else None


def require_field_role(user) -> None:
    if not selectors.may_record_inspections(user):
        raise ApiError(
            "Only inspectors, section staff and managers record inspections.", code="forbidden"
        )


class SignInSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=200, style={"input_type": "password"})
    device = serializers.CharField(max_length=100, help_text="e.g. 点検タブレット 3")


class TokenSerializer(serializers.ModelSerializer):
    class Meta:
        model = DeviceToken
        fields = ["id", "name", "created_at", "expires_at", "last_used_at", "revoked_at"]


class SignInApi(APIView):
    """Sign a device in: a token for `Authorization: Token …`, shown only this once."""

    authentication_classes = []
    permission_classes = [AllowAny]
    parser_classes = [JSONParser, FormParser, MultiPartParser]

    @extend_schema(
        request=SignInSerializer,
        examples=[examples.SIGN_IN],
        responses={
            201: inline_serializer(
                "IssuedToken", {"token": serializers.CharField(), "device": TokenSerializer()}
            ),
            400: ErrorSerializer,
            403: ErrorSerializer,
            429: ErrorSerializer,
        },
    )
    def post(self, request):
        data = SignInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        # Django's request: the sign-in guard and axes read and flag it.
        user = authenticate(
            request._request,
            username=data.validated_data["username"],
            password=data.validated_data["password"],
        )
        if user is None and guard.refused(request):
            raise ApiError(
                "Too many failed sign-ins; wait a few minutes.", code="throttled", status_code=429
            )
        if user is None or not policy.is_staff(user):
            raise ApiError("Wrong username or password.", code="bad_credentials")
        if not city_staff.belongs_here(user, getattr(request._request, "city", None)):
            home = city_staff.other_city_message(user)
            raise ApiError(
                f"This account belongs to {home['city_name']}: sign in at {home['url']}",
                code="other_city",
                status_code=status.HTTP_403_FORBIDDEN,
            )
        token, text = devices.device_sign_in(user=user, name=data.validated_data["device"])
        return Response(
            {"token": text, "device": TokenSerializer(token).data}, status=status.HTTP_201_CREATED
        )


class DeviceListApi(generics.ListAPIView):
    """My signed-in devices, newest first."""

    permission_classes = [IsCityStaff]
    serializer_class = TokenSerializer
    filter_backends = []

    def get_queryset(self):
        return devices.devices_for_user(self.request.user).order_by("-created_at", "-id")


class DeviceRevokeApi(APIView):
    """Sign a device out (one of mine)."""

    permission_classes = [IsCityStaff]

    @extend_schema(request=None, responses={204: None, 404: ErrorSerializer})
    def delete(self, request, pk: int):
        if not devices.device_sign_out(device_id=pk, acting_user=request.user):
            raise ApiError("No such device.", code="not_found")
        return Response(status=status.HTTP_204_NO_CONTENT)


class SignOutApi(APIView):
    """Revoke the token this request was made with."""

    permission_classes = [IsCityStaff]

    @extend_schema(request=None, responses={204: None})
    def post(self, request):
        device = request_device(request)
        if device is not None:
            devices.device_sign_out(device_id=device.pk, acting_user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
