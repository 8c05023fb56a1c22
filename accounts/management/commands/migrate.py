"""`migrate`, which first adopts a database made before people and permissions moved to
accounts (Django's own command does the rest).

Moving the user model between apps makes every migration that points at AUTH_USER_MODEL
depend on accounts' first migration. A database made before the move has those applied
and accounts' not, and Django refuses it ("inconsistent history"). accounts' first
migration only moves the state (the tables stay where they are), so recording it as
applied is exactly right once the tables it describes exist: what
`migrate --fake accounts 0001` would do by hand, done here for every operator.
"""

from django.core.management.commands import migrate
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.recorder import MigrationRecorder

FIRST = ("accounts", "0001_people_and_organisations")
MADE_THE_TABLES = ("assets", "0001_initial")


def adopt(connection) -> bool:
    """Record accounts' first migration on a database that has the tables it describes;
    True when it did."""
    recorder = MigrationRecorder(connection)
    if not recorder.has_table():
        return False
    applied = recorder.applied_migrations()
    if FIRST in applied or MADE_THE_TABLES not in applied:
        return False
    recorder.record_applied(*FIRST)
    return True


class Command(migrate.Command):
    def handle(self, *args, **options):
        connection = connections[options.get("database") or DEFAULT_DB_ALIAS]
        if adopt(connection) and options.get("verbosity", 1) >= 1:
            self.stdout.write(
                "Recorded accounts.0001 as applied: users and organisations now belong to "
                "accounts (their tables are unchanged)."
            )
        return super().handle(*args, **options)
