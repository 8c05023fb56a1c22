"""/open311/v2/: GeoReport v2 resources, each in .json and .xml (api/open311.py)."""

from django.urls import re_path

from api import open311

F = r"\.(?P<fmt>json|xml)$"

urlpatterns = [
    re_path(r"^discovery" + F, open311.discovery, name="open311-discovery"),
    re_path(r"^services" + F, open311.service_list, name="open311-services"),
    re_path(r"^services/(?P<code>[^/]+?)" + F, open311.service_definition, name="open311-service"),
    re_path(r"^requests" + F, open311.requests, name="open311-requests"),
    re_path(r"^requests/(?P<number>[^/]+?)" + F, open311.request_detail, name="open311-request"),
    re_path(r"^tokens/(?P<token>[^/]+?)" + F, open311.token, name="open311-token"),
    re_path(r"^servicerequestupdates" + F, open311.request_updates, name="open311-updates"),
    re_path(r"^(?P<path>.*)$", open311.not_found),
]
