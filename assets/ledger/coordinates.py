"""Coordinate systems of a ledger file, and its geometries turned into WGS84 lon/lat."""

from django.contrib.gis.gdal import CoordTransform, GDALException, OGRGeometry, SpatialReference
from django.contrib.gis.geos import GEOSGeometry

from assets.ledger.problems import UsageError

WGS84 = SpatialReference(4326)


def given_srs(srid: int) -> SpatialReference:
    """The coordinate system of --srid."""
    try:
        return SpatialReference(srid)
    except (GDALException, ValueError):
        raise UsageError(f"unknown --srid {srid}", code="unknown_srid") from None


def _flat(geom: OGRGeometry) -> OGRGeometry:
    # The column holds 2D geometries; PostGIS refuses a Z or M coordinate in it.
    if geom.is_3d:
        geom.set_3d(False)
    if geom.is_measured:
        geom.set_measured(False)
    return geom


class Reprojector:
    """Turns geometries of one source CRS into WGS84 lon/lat (EPSG:4326)."""

    def __init__(self, srs: SpatialReference):
        self.srs = srs
        self.identity = srs.srid == 4326
        self.transform = None if self.identity else CoordTransform(srs, WGS84)

    def ogr(self, geom: OGRGeometry) -> GEOSGeometry:
        geom = _flat(geom)
        if self.transform is not None:
            geom.transform(self.transform)
        result = geom.geos
        result.srid = 4326
        return result

    def geos(self, geom: GEOSGeometry) -> GEOSGeometry:
        """A GEOS geometry in WGS84; one without an SRID is taken to be in this CRS."""
        if geom.srid in (None, self.srs.srid):
            if self.identity and not geom.hasz:
                geom.srid = 4326
                return geom
            return self.ogr(OGRGeometry(geom.wkb))
        return Reprojector(SpatialReference(geom.srid)).geos(geom)
