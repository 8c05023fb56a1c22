"""The housekeeping command run daily: contacts deleted, staged photos swept."""

from io import StringIO

from django.core.management import call_command


def test_housekeeping_reports_what_it_did(db):
    out = StringIO()

    call_command("reports_housekeeping", stdout=out)

    assert "contact details deleted from 0 reports" in out.getvalue()
