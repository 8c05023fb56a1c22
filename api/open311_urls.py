"""/open311/v2/: GeoReport v2 resources, each in .json and .xml (the api/open311/ package)."""

from django.urls import re_path

from api.open311 import definitions, render, requests

F = r"\.(?P<fmt>json|xml)$"

urlpatterns = [
    re_path(r"^discovery" + F, definitions.discovery, name="open311-discovery"),
    re_path(r"^services" + F, definitions.service_list, name="open311-services"),
    re_path(
        r"^services/(?P<code>[^/]+?)" + F, definitions.service_definition, name="open311-service"
    ),
    re_path(r"^requests" + F, requests.requests, name="open311-requests"),
    re_path(r"^requests/(?P<number>[^/]+?)" + F, requests.request_detail, name="open311-request"),
    re_path(r"^tokens/(?P<token>[^/]+?)" + F, requests.token, name="open311-token"),
    re_path(r"^servicerequestupdates" + F, requests.request_updates, name="open311-updates"),
    re_path(r"^(?P<path>.*)$", render.not_found),
]
