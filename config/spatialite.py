"""Keep SpatiaLite's spatial indexes alive across migrations.

Django's SQLite backend alters a table by copying it into a new one. SpatiaLite then re-registers
the geometry column but not its R*Tree index: the index stops following inserts, and bbox
queries (which read the index, see selectors.assets_in_bbox) silently miss every new row. After
each migrate, every geometry column that should be indexed is checked and its index rebuilt.
"""

from django.apps import apps
from django.contrib.gis.db.models import GeometryField
from django.db import connections


def ensure_spatial_indexes(using: str = "default", **kwargs) -> list[str]:
    """Rebuild missing or disabled spatial indexes; returns the tables rebuilt."""
    connection = connections[using]
    if connection.vendor != "sqlite":
        return []
    rebuilt = []
    with connection.cursor() as cursor:
        for model in apps.get_models():
            for field in model._meta.local_fields:
                if not isinstance(field, GeometryField) or not field.spatial_index:
                    continue
                table, column = model._meta.db_table, field.column
                cursor.execute(
                    "SELECT spatial_index_enabled FROM geometry_columns "
                    "WHERE lower(f_table_name) = lower(%s) "
                    "AND lower(f_geometry_column) = lower(%s)",
                    [table, column],
                )
                row = cursor.fetchone()
                if row is None or row[0] == 1:
                    continue
                cursor.execute(f'DROP TABLE IF EXISTS "idx_{table}_{column}"')
                cursor.execute("SELECT CreateSpatialIndex(%s, %s)", [table, column])
                rebuilt.append(table)
    return rebuilt
