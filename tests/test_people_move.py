"""Users, organisations, device tokens and API keys moved to accounts keeping their tables:
a database made before the move (its migrations as they were, with rows in every moved
table) migrates to the new state with every row intact — on SpatiaLite and on PostGIS.

The old database is made by migrating a new, empty database only as far as the migrations
that existed before the move, then removing the record of accounts' state-only first
migration, exactly as an installation of that day has it; then the project's `migrate`
runs in a process of its own, as an operator would run it.
"""

import textwrap

from tests.conftest import manage_in_process

# The last migration of each moved-from app before the move.
BEFORE_THE_MOVE = {
    "assets": "0006_organisation_kind_utility",
    "api": "0001_device_tokens",
    "reports": "0007_remove_report_tracking",
    "inspections": "0001_checklists_inspections",
}

MAKE_OLD = """
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

connection.prepare_database()  # SpatiaLite's metadata, PostGIS's extension: as migrate does
executor = MigrationExecutor(connection)
graph = executor.loader.graph
before = {before!r}
targets = []
for app, name in graph.leaf_nodes():
    if app in ("accounts", "planning", "channels"):  # apps that came after the move: no tables
        continue
    targets.append((app, before.get(app, name)))
executor.migrate(targets)
executor.loader.build_graph()
old = executor.loader.project_state(targets).apps
executor.recorder.migration_qs.filter(app="accounts").delete()

Organization = old.get_model("assets", "Organization")
User = old.get_model("assets", "User")
DeviceToken = old.get_model("api", "DeviceToken")
ApiClient = old.get_model("reports", "ApiClient")
FaultCategory = old.get_model("assets", "FaultCategory")
Permission = old.get_model("auth", "Permission")
ContentType = old.get_model("contenttypes", "ContentType")
from django.contrib.auth.hashers import make_password
from django.utils import timezone
import datetime

city = Organization.objects.create(code="izumo", name="出雲市", kind="city")
road = Organization.objects.create(
    code="izumo-doro", name="道路河川維持課", kind="section", parent=city
)
kacho = User.objects.create(
    username="kacho", password=make_password("pw-Machimori-2026"), organization=road,
    role="manager", email="kacho@city.example",
)
user_type = ContentType.objects.create(app_label="assets", model="user")
permission = Permission.objects.create(
    content_type=user_type, codename="view_user", name="Can view user"
)
kacho.user_permissions.add(permission)
# The user model's foreign keys follow AUTH_USER_MODEL: the same row, seen as such.
kacho = old.get_model("accounts", "User").objects.get(pk=kacho.pk)
DeviceToken.objects.create(
    user=kacho, name="点検タブレット 1", prefix="abcde12345", key_hash="0" * 64,
    expires_at=timezone.now() + datetime.timedelta(days=30),
)
lamp = FaultCategory.objects.create(
    code="lamp-out", group="lights", severity=3, response_hours=72,
    name_ja="不点灯", name_en="Lamp out",
)
client = ApiClient.objects.create(
    name="市民アプリ", organization=city, prefix="fedcb54321", key_hash="1" * 64, created_by=kacho,
)
client.services.add(lamp)
print("old database made")
"""

CHECK_NEW = """
from django.contrib.auth import authenticate
from django.contrib.contenttypes.models import ContentType
from django.test import RequestFactory

from accounts.models import ApiClient, DeviceToken, Organization, User

kacho = User.objects.select_related("organization__parent").get(username="kacho")
assert kacho.organization.code == "izumo-doro" and kacho.organization.parent.code == "izumo"
assert kacho.role == "manager" and kacho.email == "kacho@city.example"
request = RequestFactory().post("/")
assert authenticate(request, username="kacho", password="pw-Machimori-2026") == kacho
assert kacho.has_perm("accounts.view_user"), "the permission followed the model"
assert ContentType.objects.get_for_model(User).app_label == "accounts"
[token] = DeviceToken.objects.filter(user=kacho)
assert (token.name, token.prefix) == ("点検タブレット 1", "abcde12345")
client = ApiClient.objects.get(name="市民アプリ")
assert client.organization.code == "izumo" and client.created_by == kacho
assert list(client.services.values_list("code", flat=True)) == ["lamp-out"]
assert Organization.objects.count() == 2
print("rows intact")
"""


def test_a_database_made_before_the_move_migrates_with_its_rows_intact(fresh_database):
    made = manage_in_process(
        fresh_database, "shell", "-c", textwrap.dedent(MAKE_OLD.format(before=BEFORE_THE_MOVE))
    )
    assert made.returncode == 0, made.stderr[-3000:]

    # Django's own check refuses this history; the project's migrate adopts it first.
    migrated = manage_in_process(fresh_database, "migrate", "--no-input")
    checked = manage_in_process(fresh_database, "shell", "-c", textwrap.dedent(CHECK_NEW))

    assert migrated.returncode == 0, migrated.stderr[-3000:]
    assert "Recorded accounts.0001 as applied" in migrated.stdout
    assert checked.returncode == 0, checked.stderr[-3000:]
    assert "rows intact" in checked.stdout
    again = manage_in_process(fresh_database, "migrate", "--check")
    assert again.returncode == 0, again.stdout + again.stderr
