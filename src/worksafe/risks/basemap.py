"""The offline base map (docs/map.md): where the county's PMTiles file is, and the demo's
generated extract.

The county installs its base map once as one PMTiles file of vector tiles (MVT); the map
page draws it with protomaps-leaflet, which reads it through
:class:`worksafe.risks.views_map.BasemapFile` with HTTP range requests. The demo has no
real map data, so :func:`generate_demo` draws one from the demo's own divisions: a county
outline around the township seats, each township the Voronoi cell of its seat clipped to
the county, the boundaries and the names. Its layers (what ``static/worksafe/map.js``
paints):

``earth``      polygon, the county's land (``name``)
``boundaries`` lines, ``kind`` = ``county`` | ``township``
``townships``  polygons, one per township (``name``, ``code``)
``places``     points, ``kind`` = ``county`` | ``township`` (``name``, ``code``)

The extract is placeholder geography, as the seats it is drawn around (``org/data/maqin.json``).
"""

from __future__ import annotations

import gzip
import json
import math
from pathlib import Path

from django.conf import settings

#: the layers a base map drawn by map.js has (the demo's, or a county file made to match)
LAYERS = ("earth", "boundaries", "townships", "places")
MIN_ZOOM = 6
MAX_ZOOM = 12
EXTENT = 4096
BUFFER = 64


def basemap_path() -> Path:
    """The configured PMTiles file (``WORKSAFE_BASEMAP_FILE``, default ``var/basemap/county.pmtiles``,
    the demo's ``var/basemap/demo.pmtiles`` when only that one exists)."""
    configured = getattr(settings, "WORKSAFE_BASEMAP_FILE", "") or ""
    if configured:
        return Path(configured)
    county = Path(settings.VAR_DIR) / "basemap" / "county.pmtiles"
    demo = Path(settings.VAR_DIR) / "basemap" / "demo.pmtiles"
    return demo if demo.is_file() and not county.is_file() else county


def basemap_installed() -> bool:
    path = basemap_path()
    return path.is_file() and path.stat().st_size > 127  # more than a PMTiles header


# ---------------------------------------------------------------- the demo extract


def _seats(divisions) -> tuple[dict | None, list[dict]]:
    """(county, townships) with coordinates, from the divisions' dicts (code, name, level, lat, lon)."""
    county = next((d for d in divisions if d["level"] == 3 and d.get("latitude") is not None), None)
    towns = [d for d in divisions if d["level"] == 4 and d.get("latitude") is not None]
    return county, towns


def demo_geometries(divisions):
    """The demo's features in lon/lat: (county outline, [(township dict, cell)], [(division dict, point)])."""
    from shapely import voronoi_polygons
    from shapely.geometry import MultiPoint, Point

    county, towns = _seats(divisions)
    if county is None or not towns:
        raise ValueError("演示底图需要县和乡镇驻地的经纬度")
    seats = MultiPoint([(t["longitude"], t["latitude"]) for t in towns])
    # the outline: the seats' hull grown by ~30 km, smoothed (placeholder geography)
    outline = seats.convex_hull.buffer(0.35, quad_segs=8).simplify(0.02)
    cells = voronoi_polygons(seats, extend_to=outline.buffer(1.0))
    out = []
    for t in towns:
        p = Point(t["longitude"], t["latitude"])
        cell = next(c for c in cells.geoms if c.covers(p))
        out.append((t, cell.intersection(outline)))
    points = [(d, Point(d["longitude"], d["latitude"])) for d in [county, *towns]]
    return outline, out, points


def _mercator(z: int):
    """lon/lat → the zoom's world pixels (EXTENT per tile, y down), on an (n, 2) array."""
    scale = EXTENT * (1 << z)

    def project(coords):
        import numpy as np

        lon = coords[:, 0]
        lat = np.radians(np.clip(coords[:, 1], -85.05, 85.05))
        px = (lon + 180.0) / 360.0 * scale
        py = (1.0 - np.arcsinh(np.tan(lat)) / math.pi) / 2.0 * scale
        return np.column_stack([px, py])

    return project


def _tile_range(bounds, z):
    def tile(lon, lat):
        n = 1 << z
        x = int((lon + 180.0) / 360.0 * n)
        lat_r = math.radians(lat)
        y = int((1.0 - math.asinh(math.tan(lat_r)) / math.pi) / 2.0 * n)
        return x, y

    minx, miny, maxx, maxy = bounds
    x0, y1 = tile(minx, miny)
    x1, y0 = tile(maxx, maxy)
    return range(x0, x1 + 1), range(y0, y1 + 1)


def build_demo_tiles(divisions, min_zoom: int = MIN_ZOOM, max_zoom: int = MAX_ZOOM):
    """{(z, x, y): MVT bytes} of the demo's features, only the tiles the county touches."""
    import mapbox_vector_tile
    from shapely import affinity, transform
    from shapely.geometry import box

    outline, cells, points = demo_geometries(divisions)
    tiles = {}
    for z in range(min_zoom, max_zoom + 1):
        project = _mercator(z)
        tol = 1.0  # a pixel of the tile's 4096
        w_outline = transform(outline, project).simplify(tol)
        w_cells = [(t, transform(c, project).simplify(tol)) for t, c in cells]
        w_borders = [(t, c.boundary) for t, c in w_cells]
        w_points = [(d, transform(p, project)) for d, p in points]
        xs, ys = _tile_range(outline.bounds, z)
        for x in xs:
            for y in ys:
                ox, oy = x * EXTENT, y * EXTENT
                clip = box(ox - BUFFER, oy - BUFFER, ox + EXTENT + BUFFER, oy + EXTENT + BUFFER)
                if not clip.intersects(w_outline):
                    continue

                def local(g, clip=clip, ox=ox, oy=oy):
                    return affinity.translate(g.intersection(clip), -ox, -oy)

                earth = [{"geometry": local(w_outline), "properties": {"name": "玛沁县"}}]
                bounds = [{"geometry": local(w_outline.boundary), "properties": {"kind": "county"}}]
                townships = []
                for t, cell in w_cells:
                    if cell.intersects(clip):
                        townships.append(
                            {"geometry": local(cell), "properties": {"name": t["name"], "code": t["code"]}}
                        )
                for _t, line in w_borders:
                    inner = line.difference(w_outline.boundary.buffer(0.5))
                    if not inner.is_empty and inner.intersects(clip):
                        bounds.append({"geometry": local(inner), "properties": {"kind": "township"}})
                places = []
                for d, p in w_points:
                    if clip.contains(p):
                        places.append(
                            {
                                "geometry": local(p),
                                "properties": {
                                    "name": d["name"],
                                    "code": d["code"],
                                    "kind": "county" if d["level"] == 3 else "township",
                                },
                            }
                        )
                layers = [
                    {"name": "earth", "features": earth},
                    {"name": "boundaries", "features": bounds},
                    {"name": "townships", "features": townships},
                    {"name": "places", "features": places},
                ]
                layers = [lay for lay in layers if lay["features"]]
                for lay in layers:
                    lay["features"] = [f for f in lay["features"] if not f["geometry"].is_empty]
                data = mapbox_vector_tile.encode(
                    layers,
                    default_options={
                        "extents": EXTENT,
                        "y_coord_down": True,
                        "quantize_bounds": None,
                        "on_invalid_geometry": mapbox_vector_tile.encoder.on_invalid_geometry_make_valid,
                    },
                )
                tiles[(z, x, y)] = data
    return tiles, outline


def write_pmtiles(path: Path, tiles: dict, bounds, name: str, description: str) -> Path:
    """Write ``tiles`` ({(z, x, y): MVT bytes}) as a gzip-compressed vector PMTiles v3 file."""
    from pmtiles.tile import Compression, TileType, zxy_to_tileid
    from pmtiles.writer import Writer

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    zooms = [z for z, _, _ in tiles]
    minx, miny, maxx, maxy = bounds
    with open(tmp, "wb") as f:
        writer = Writer(f)
        for tid, data in sorted((zxy_to_tileid(*k), gzip.compress(v, mtime=0)) for k, v in tiles.items()):
            writer.write_tile(tid, data)
        writer.finalize(
            {
                "tile_type": TileType.MVT,
                "tile_compression": Compression.GZIP,
                "min_lon_e7": int(minx * 1e7),
                "min_lat_e7": int(miny * 1e7),
                "max_lon_e7": int(maxx * 1e7),
                "max_lat_e7": int(maxy * 1e7),
                "center_zoom": min(zooms) + 3,
                "center_lon_e7": int((minx + maxx) / 2 * 1e7),
                "center_lat_e7": int((miny + maxy) / 2 * 1e7),
            },
            {
                "name": name,
                "description": description,
                "attribution": "演示底图(生成)",
                "vector_layers": [{"id": lay, "fields": {}} for lay in LAYERS],
            },
        )
    tmp.replace(path)
    return path


def generate_demo(path: Path | None = None, divisions=None, max_zoom: int = MAX_ZOOM) -> Path:
    """Write the demo's base map (``var/basemap/demo.pmtiles``) from the divisions of
    ``org/data/maqin.json`` (or the given dicts); a few seconds, same bytes every run."""
    if divisions is None:
        data = json.loads((Path(settings.PACKAGE_DIR) / "org" / "data" / "maqin.json").read_text("utf-8"))
        divisions = data["divisions"]
    tiles, outline = build_demo_tiles(divisions, max_zoom=max_zoom)
    path = Path(path) if path else Path(settings.VAR_DIR) / "basemap" / "demo.pmtiles"
    return write_pmtiles(
        path, tiles, outline.bounds, "玛沁县演示底图", "演示用生成底图:乡镇范围为驻地的泰森多边形,非真实界线"
    )
