"""One database: a GeoJSON bbox request of 1,000 assets against the floor.

The floor is the same selection as one raw SQL query in which the database builds the whole
FeatureCollection; the request goes through Django's full stack (middleware, URL routing,
filter validation, selector, response) in the same process and on the same connection.
Prints one JSON line. Run by bench/run.py.
"""

import argparse
import json

from common import ensure_seeded, interleaved, setup_django

WANTED = 1000


def floor_sql(vendor: str, table_index: str) -> str:
    properties = """
        'ledger_id', a.ledger_id, 'name', a.name, 'type', t.code, 'owner', a.owner_id,
        'owner_name', o.name, 'parent', a.parent_id, 'address', a.address,
        'status', a.status, 'criticality', a.criticality, 'install_date', a.install_date,
        'condition', {obj}('grade', a.condition_grade, 'last_inspected', a.last_inspected_on,
                           'next_due', a.next_inspection_due),
        'attributes', {attributes}
    """
    joins = """
        FROM assets_asset a
        JOIN assets_assettype t ON t.id = a.asset_type_id
        JOIN assets_organization o ON o.id = a.owner_id
    """
    if vendor == "postgresql":
        props = properties.format(obj="json_build_object", attributes="a.attributes::json")
        return f"""
            SELECT json_build_object('type', 'FeatureCollection',
                                     'features', COALESCE(json_agg(f.feature), '[]'))::text
            FROM (
                SELECT json_build_object('type', 'Feature', 'id', a.id,
                    'geometry', ST_AsGeoJSON(a.geom, 7)::json,
                    'properties', json_build_object({props})) AS feature
                {joins}
                WHERE a.status = 'in_service'
                  AND ST_Intersects(a.geom, ST_MakeEnvelope(%s, %s, %s, %s, 4326))
                ORDER BY a.id LIMIT {WANTED}
            ) f
        """
    props = properties.format(obj="json_object", attributes="json(a.attributes)")
    return f"""
        SELECT json_object('type', 'FeatureCollection',
                           'features', json_group_array(json(f.feature)))
        FROM (
            SELECT json_object('type', 'Feature', 'id', a.id,
                'geometry', json(AsGeoJSON(a.geom, 7)),
                'properties', json_object({props})) AS feature
            {joins}
            WHERE a.status = 'in_service'
              AND a.id IN (SELECT pkid FROM "{table_index}"
                           WHERE xmin <= %s AND xmax >= %s AND ymin <= %s AND ymax >= %s)
              AND Intersects(a.geom, BuildMbr(%s, %s, %s, %s, 4326))
            ORDER BY a.id LIMIT {WANTED}
        ) f
    """


def floor_params(vendor, bbox):
    min_x, min_y, max_x, max_y = bbox
    if vendor == "postgresql":
        return bbox
    return (max_x, min_x, max_y, min_y, *bbox)


def find_bbox():
    """A box around the demo centre holding just over 1,000 assets in service."""
    from django.contrib.gis.geos import Polygon

    from assets.models import Asset
    from demo.city import CENTER_LAT, CENTER_LON

    low, high = 0.001, 0.2
    for _ in range(30):
        half = (low + high) / 2
        bbox = (CENTER_LON - half, CENTER_LAT - half, CENTER_LON + half, CENTER_LAT + half)
        count = Asset.objects.filter(
            status="in_service", geom__intersects=Polygon.from_bbox(bbox)
        ).count()
        if WANTED <= count <= WANTED * 1.1:
            return bbox, count
        low, high = (half, high) if count < WANTED else (low, half)
    return bbox, count


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--assets", type=int, required=True)
    parser.add_argument("--repeat", type=int, default=100)
    args = parser.parse_args()

    setup_django(args.database_url)
    from django.db import connection
    from django.test import Client

    from assets.models import Asset

    seeded = ensure_seeded(args.assets)
    bbox, matching = find_bbox()
    sql = floor_sql(connection.vendor, f"idx_{Asset._meta.db_table}_geom")
    params = floor_params(connection.vendor, bbox)
    client = Client()
    query = {"bbox": ",".join(f"{v:.6f}" for v in bbox), "limit": str(WANTED)}

    def floor():
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchone()[0]

    def request():
        response = client.get("/api/v1/assets/", query)
        assert response.status_code == 200, response.content[:500]
        return response.content

    # Both must return the same features, or the comparison means nothing.
    floor_ids = [f["id"] for f in json.loads(floor())["features"]]
    request_ids = [f["id"] for f in json.loads(request())["features"]]
    assert floor_ids == request_ids, "the floor and the request select different assets"

    timings = interleaved({"floor": floor, "request": request}, repeat=args.repeat)
    print(
        json.dumps(
            {
                "vendor": connection.vendor,
                "assets": args.assets,
                "seed_seconds": round(seeded, 1),
                "bbox_matching": matching,
                "returned": len(request_ids),
                **{f"{name}_{k}": round(v, 3) for name, t in timings.items() for k, v in t.items()},
            }
        )
    )


if __name__ == "__main__":
    main()
