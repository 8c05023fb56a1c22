"""OGC API – Features at /ogc/: the open data's assets and public reports for GIS clients
(QGIS, ArcGIS, GDAL), read-only, as GeoJSON and as plain HTML pages."""
