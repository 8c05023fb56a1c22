"""What the channels kept before cities: the migration to per-city channels keeps every LINE
user, event, month's push count and mail read, as the settings' one city's."""

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor

from channels.models import LineEvent, LinePushMonth, LineUser, MailSeen

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("channels", "0001_initial")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    targets = targets or executor.loader.graph.leaf_nodes()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def test_what_was_kept_becomes_the_settings_citys():
    try:
        old = _migrate(BEFORE)
        old.get_model("channels", "LinePushMonth").objects.create(
            month="2026-11", count=7, refused=2
        )
        old.get_model("channels", "LineUser").objects.create(user_id="U" + "a" * 32)
        old.get_model("channels", "LineEvent").objects.create(
            event_id="01EVENT", kind="follow", payload={}
        )
        old.get_model("channels", "MailSeen").objects.create(
            message_id="<1@example.jp>", outcome="reported"
        )
    finally:
        _migrate(None)

    month = LinePushMonth.objects.get()
    assert (month.city, month.month, month.count, month.refused) == (None, "2026-11", 7, 2)
    assert LineUser.objects.get().city is None and LineEvent.objects.get().city is None
    assert MailSeen.objects.get().city is None
    # Still one per month, user, event and mail for the settings' city.
    with pytest.raises(IntegrityError), transaction.atomic():
        LinePushMonth.objects.create(month="2026-11")
