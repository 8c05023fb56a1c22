"""Open311 GeoReport v2 at /open311/v2/, with FixMyStreet's extensions.

Specification: http://wiki.open311.org/GeoReport_v2 . Every resource in .json and .xml,
UTF-8, datetimes with their offset, errors as the specification's error lists. A posted
request goes through the same reporting services as the web form. What a GET shows is what
anyone may know (reports/opendata.py): never contacts, internal notes, unmoderated
descriptions or original photos.

Extensions (FixMyStreet): `servicerequestupdates`, `extensions=true` for detailed statuses,
`groups` in the service list, and `page` / `page_size` on `requests`.

render.py answers in the specification's shapes, definitions.py says what is served,
requests.py reads requests and their updates, posting.py takes a new one.
"""
