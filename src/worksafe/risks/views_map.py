"""一张图、一张表: the risk map and the risk table (plan 三(一) "绘制安全风险分布'一张图'、'一张表'").

Every row starts from ``Enterprise.objects.visible_to(user)`` (DESIGN.md §3.2). The map
and the table share one filter (sector, township, level); the table adds a search,
licence state and major hazard filters, sorts in the database and exports .xlsx.
The level colours come from :mod:`worksafe.standards.levels` and reach the browser as
JSON, never hard-coded in a template or script.
"""

from __future__ import annotations

import datetime
import json
import math
from collections import defaultdict
from decimal import Decimal
from typing import NamedTuple

from django.conf import settings
from django.db.models import (
    Avg,
    Count,
    ExpressionWrapper,
    F,
    FloatField,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Value,
)
from django.db.models.functions import Cast, Coalesce, Floor
from django.http import Http404, JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.views import View
from django.views.generic import TemplateView

from worksafe.core.ranged import ranged_file_response
from worksafe.core.registry import MAP_OVERLAYS
from worksafe.core.views import ScopedListView, ScopedMixin
from worksafe.enterprises.models import Enterprise, Facility, GatheringPlace, Licence
from worksafe.org.models import Division
from worksafe.standards import geo
from worksafe.standards.levels import Level

from . import basemap
from .filters import UNRATED, RiskMapFilter, RiskTableFilter
from .models import MajorHazardSource
from .tables import RiskTable

#: the map's other symbols (township seats, gathering places; flagged ones take the red level's colour)
MAP_STYLE = {"township": "#495057", "gathering": "#6f42c1", "flagged": Level.RED.hex}
GRADE_LABELS = dict(MajorHazardSource.GRADE_CHOICES)


def level_legend() -> list[dict]:
    """The legend, most severe first, then 未评定: key, value, label, colour name, hex."""
    levels = [{"key": str(lv.value), "value": lv.value, "label": lv.label, "colour_name": lv.colour_name,
               "hex": lv.hex} for lv in sorted(Level, reverse=True)]
    return [*levels, dict(UNRATED)]


def level_info(value) -> dict:
    if not value:
        return dict(UNRATED)
    lv = Level(int(value))
    return {"key": str(lv.value), "value": lv.value, "label": lv.label, "colour_name": lv.colour_name,
            "hex": lv.hex}


# ---------------------------------------------------------------- the map (一张图)

#: the map data answers at most this many markers; more in the view are clusters (docs/map.md)
MAX_MARKERS = 600
#: below this zoom the map shows clusters computed in the database, at and above it markers
MARKER_ZOOM = 12
#: from this zoom on the map shows markers even when the view holds more than MAX_MARKERS
#: (the first MAX_MARKERS, most severe first, with ``truncated``)
FULL_ZOOM = 16
#: a cluster cell is about this many screen pixels wide
CLUSTER_PX = 80
#: gathering places in one answer, at most (zoomed out with more in the view: none, ``places_truncated``)
MAX_PLACES = 400
#: the markers' and the places' part of one answer, at most (bytes of JSON): the answer stays
#: under 300 KB whatever the names and reasons; clusters are bounded by MAX_CELLS
MARKER_BYTES = 200_000
PLACE_BYTES = 60_000
#: cells of the cluster grid in one answer, about (a box larger than the screen at its zoom gets
#: larger cells)
MAX_CELLS = 600
#: enterprises without coordinates listed by name (the count is always whole)
MAX_UNLOCATED = 50
#: the data without a bounding box: the user's area cut into about this many cells a side
DEFAULT_GRID = 12


class MapMixin(ScopedMixin):
    model = Enterprise
    select_related = ("township",)
    prefetch_related = ("sectors",)

    def filtered(self):
        self.filterset = RiskMapFilter(self.request.GET or None, queryset=self.get_queryset(), request=self.request)
        return self.filterset.qs


def _located(qs):
    return qs.filter(latitude__isnull=False, longitude__isnull=False)


def _unlocated(qs):
    return qs.filter(Q(latitude__isnull=True) | Q(longitude__isnull=True))


def _extent(qs) -> dict | None:
    """The box around the located enterprises of ``qs`` (one aggregate), or None."""
    ext = _located(qs).order_by().aggregate(min_lat=Min("latitude"), max_lat=Max("latitude"),
                                            min_lon=Min("longitude"), max_lon=Max("longitude"))
    if ext["min_lat"] is None:
        return None
    return {k: float(v) for k, v in ext.items()}


class MapView(MapMixin, TemplateView):
    """The map page: filters, legend, the map, and the enterprises it cannot place (their count,
    the first MAX_UNLOCATED by name, the rest in the table)."""

    template_name = "risks/map.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        qs = self.filtered()
        query = self.request.GET.urlencode()
        data_url = reverse("risks:map_data") + (f"?{query}" if query else "")
        tile_url = getattr(settings, "WORKSAFE_MAP_TILE_URL", "") or ""
        basemap_url = reverse("risks:basemap") if basemap.basemap_installed() else ""
        unlocated = _unlocated(qs)
        table_query = self.request.GET.copy()
        table_query["located"] = "no"
        ctx.update(
            filter=self.filterset,
            querystring=query,
            legend=level_legend(),
            unlocated=list(unlocated.order_by(F("risk_level").desc(nulls_last=True), "name", "pk")[:MAX_UNLOCATED]),
            unlocated_count=unlocated.order_by().count(),
            unlocated_table_url=reverse("risks:table") + "?" + table_query.urlencode(),
            tile_url=tile_url,
            basemap_url=basemap_url,
            map_config={
                "data_url": data_url,
                "tile_url": tile_url,
                "basemap_url": basemap_url,
                "attribution": getattr(settings, "WORKSAFE_MAP_TILE_ATTRIBUTION", "") or "",
                "levels": level_legend(),
                "style": MAP_STYLE,
                "extent": _extent(qs),
                "marker_zoom": MARKER_ZOOM,
            },
        )
        return ctx


class BasemapFile(View):
    """The offline base map (one PMTiles file, docs/map.md) in byte ranges for protomaps-leaflet;
    login required like the map (the site's login middleware). No path comes from the request:
    only the configured file can be read. 404 when it is not installed."""

    http_method_names = ["get", "head"]

    def get(self, request, *args, **kwargs):
        if not basemap.basemap_installed():
            raise Http404("未安装离线底图")
        return ranged_file_response(request, basemap.basemap_path())

    head = get


class Box(NamedTuple):
    min_lon: float
    min_lat: float
    max_lon: float
    max_lat: float

    def grown(self, metres: float) -> Box:
        """The box grown by ``metres`` on every side (for what lies within a distance of it)."""
        if not metres:
            return self
        dlat = math.degrees(metres / geo.EARTH_RADIUS_M)
        lat = max(abs(self.min_lat), abs(self.max_lat))
        dlon = math.degrees(metres / (geo.EARTH_RADIUS_M * max(0.01, math.cos(math.radians(min(lat, 89.9))))))
        return Box(max(-180.0, self.min_lon - dlon), max(-90.0, self.min_lat - dlat),
                   min(180.0, self.max_lon + dlon), min(90.0, self.max_lat + dlat))

    def q(self, prefix: str = "") -> Q:
        return Q(**{f"{prefix}latitude__gte": _dec(self.min_lat), f"{prefix}latitude__lte": _dec(self.max_lat),
                    f"{prefix}longitude__gte": _dec(self.min_lon), f"{prefix}longitude__lte": _dec(self.max_lon)})

    def as_list(self) -> list[float]:
        return [round(v, 6) for v in self]


def _dec(v: float) -> Decimal:
    return Decimal(f"{v:.6f}")


class BadMapQuery(ValueError):
    """A bbox or zoom that cannot be valid: the map data answers 400 with this message."""


def _number(raw: str, what: str) -> float:
    try:
        v = float(raw)
    except (TypeError, ValueError):
        raise BadMapQuery(f"{what}应为数字,收到“{raw[:40]}”。") from None
    if not math.isfinite(v):
        raise BadMapQuery(f"{what}应为有限的数字,收到“{raw[:40]}”。")
    return v


def parse_view(params) -> tuple[Box | None, float | None]:
    """``bbox=minLon,minLat,maxLon,maxLat`` and ``zoom=`` of the map data (both optional).
    Longitudes a map wraps past ±180 and latitudes past ±90 are clamped; anything that is not
    four finite numbers in order, or a zoom outside 0–24, is refused."""
    box = None
    raw = params.get("bbox")
    if raw is not None:
        parts = raw.split(",")
        if len(parts) != 4 or len(raw) > 200:
            raise BadMapQuery("地图范围(bbox)应为“最小经度,最小纬度,最大经度,最大纬度”四个数。")
        min_lon, min_lat, max_lon, max_lat = (_number(p.strip(), "地图范围(bbox)") for p in parts)
        if not all(-720 <= v <= 720 for v in (min_lon, max_lon)) or not all(-180 <= v <= 180 for v in (min_lat, max_lat)):
            raise BadMapQuery("地图范围(bbox)超出经纬度的取值范围。")
        if min_lon > max_lon or min_lat > max_lat:
            raise BadMapQuery("地图范围(bbox)的最小经纬度大于最大经纬度。")
        box = Box(max(-180.0, min_lon), max(-90.0, min_lat), min(180.0, max_lon), min(90.0, max_lat))
    zoom = None
    raw = params.get("zoom")
    if raw is not None:
        zoom = _number(raw.strip(), "缩放级别(zoom)")
        if not 0 <= zoom <= 24:
            raise BadMapQuery("缩放级别(zoom)应在 0 到 24 之间。")
    return box, zoom


def _near(enterprises: list[dict], places: list[dict]) -> dict[int, list]:
    """enterprise id → [(place, distance)] of the places inside its protection distance, nearest
    first (as :func:`worksafe.risks.services.gathering_places_within`, in memory for all at once).
    Each item is a dict with ``id``, ``lat``, ``lon`` (and ``pd``, the protection distance in metres,
    for an enterprise); places are bucketed in cells as large as the largest distance, so each
    enterprise looks at the few cells around it, not at every place."""
    found: dict[int, list] = {}
    enterprises = [e for e in enterprises if e["pd"]]
    if not enterprises:
        return found
    cell_lat = max(1e-6, math.degrees(max(e["pd"] for e in enterprises) / geo.EARTH_RADIUS_M))
    top = max((abs(p["lat"]) for p in places), default=0.0)
    cell_lon = cell_lat / max(0.01, math.cos(math.radians(min(top, 89.9))))
    buckets: dict[tuple[int, int], list[dict]] = defaultdict(list)
    for p in places:
        buckets[(math.floor(p["lat"] / cell_lat), math.floor(p["lon"] / cell_lon))].append(p)
    for e in enterprises:
        lat, lon, radius = e["lat"], e["lon"], e["pd"]
        min_lat, max_lat, min_lon, max_lon = geo.bounding_box(lat, lon, radius)
        near = []
        for gy in range(math.floor(min_lat / cell_lat), math.floor(max_lat / cell_lat) + 1):
            for gx in range(math.floor(min_lon / cell_lon), math.floor(max_lon / cell_lon) + 1):
                for p in buckets.get((gy, gx), ()):
                    if min_lat <= p["lat"] <= max_lat and min_lon <= p["lon"] <= max_lon:
                        d = geo.distance_m(lat, lon, p["lat"], p["lon"])
                        if d <= radius:
                            near.append((p, d))
        found[e["id"]] = sorted(near, key=lambda x: (x[1], x[0]["id"]))
    return found


def _within(budget: int, items) -> list[dict]:
    """The first of ``items`` whose JSON fits in ``budget`` bytes: what bounds the answer's size
    whatever the lengths of names and reasons."""
    out, used = [], 0
    for item in items:
        used += len(json.dumps(item, ensure_ascii=False).encode()) + 2
        if used > budget:
            break
        out.append(item)
    return out


def _points(qs, *fields, limit: int | None = None, **exprs) -> list[dict]:
    """Rows of ``qs`` as dicts with float ``lat``/``lon`` (one query, at most ``limit``)."""
    rows = []
    values = qs.values("id", "latitude", "longitude", *fields, **exprs)
    for r in values[:limit] if limit is not None else values:
        r["lat"], r["lon"] = float(r.pop("latitude")), float(r.pop("longitude"))
        rows.append(r)
    return rows


class MapData(MapMixin, View):
    """JSON of what the map's view shows (same filters as the page): for ``bbox`` and ``zoom``
    either clusters counted in the database (zoomed out, or more than MAX_MARKERS in the view) or
    the enterprises' markers (at most MAX_MARKERS), the township seats, the gathering places of
    the view (at most MAX_PLACES) with those inside a protection distance flagged, the legend's
    counts (every filtered enterprise) and the enterprises it cannot place (a count and the first
    MAX_UNLOCATED). Without ``bbox`` the view is the user's area (the box around its enterprises).
    The answer stays small whatever the number of enterprises (docs/map.md)."""

    def get(self, request, *args, **kwargs):
        try:
            box, zoom = parse_view(request.GET)
        except BadMapQuery as e:
            return JsonResponse({"error": str(e)}, status=400, json_dumps_params={"ensure_ascii": False})
        qs = self.filtered()
        if self.filterset.is_bound and not self.filterset.is_valid():
            return JsonResponse({"error": self.filterset.error_text()}, status=400,
                                json_dumps_params={"ensure_ascii": False})
        user = request.user
        qs = qs.order_by()
        legend = level_legend()
        totals = qs.aggregate(
            **{lv["key"]: Count("pk", filter=Q(risk_level=lv["value"]) if lv["value"] else Q(risk_level__isnull=True))
               for lv in legend},
            unlocated=Count("pk", filter=Q(latitude__isnull=True) | Q(longitude__isnull=True)),
            max_pd=Max("protection_distance_m", filter=Q(latitude__isnull=False, longitude__isnull=False)))
        unlocated_count, max_pd = totals.pop("unlocated"), totals.pop("max_pd") or 0
        if box is None:  # the user's area: its enterprises with a margin and their protection distances
            ext = _extent(qs)
            if ext:
                pad = max(ext["max_lon"] - ext["min_lon"], ext["max_lat"] - ext["min_lat"], 0.01) / 10
                box = Box(ext["min_lon"] - pad, ext["min_lat"] - pad, ext["max_lon"] + pad,
                          ext["max_lat"] + pad).grown(max_pd)
        in_view = _located(qs).filter(box.q()) if box else qs.none()
        if zoom is not None and zoom < MARKER_ZOOM:
            mode, total = "clusters", None  # the clusters' sum: no count needed
        else:
            total = in_view.count() if box else 0
            full = zoom is not None and zoom >= FULL_ZOOM
            mode = "markers" if total <= MAX_MARKERS or full else "clusters"
        enterprises, clusters, truncated = [], [], False
        marker_pd = 0
        if mode == "clusters" and box:
            clusters = self.clusters(in_view, box, zoom, legend)
        elif box:
            rows = list(in_view.select_related("township").prefetch_related("sectors")
                        .order_by(F("risk_level").desc(nulls_last=True), "name", "pk")[:MAX_MARKERS])
            enterprises = rows
            marker_pd = max((e.protection_distance_m or 0 for e in rows), default=0)
        if total is None:
            total = sum(c["n"] for c in clusters)

        # the gathering places of the view, flagged by the enterprises whose distance reaches them
        # (also those just outside the view), and the places each marker's distance reaches (also
        # just outside the view: markers cover a small area, so there all of them are read); the
        # same queries whatever the data, so that their number never depends on it
        inside: dict[int, list] = defaultdict(list)
        flagged: dict[int, list] = {}
        places, places_truncated = [], False
        if box:
            places_qs = GatheringPlace.objects.visible_to(user).order_by("township__code", "name", "pk")
            read = _points(places_qs.filter(box.grown(marker_pd).q()), "name", "kind", "people", "township__name",
                           limit=None if mode == "markers" else MAX_PLACES + 1)
            places = [p for p in read if box.min_lat <= p["lat"] <= box.max_lat and box.min_lon <= p["lon"] <= box.max_lon]
            places_truncated = len(places) > MAX_PLACES
            # zoomed out, none rather than an arbitrary part of them: the view says to zoom in
            places = [] if places_truncated and mode == "clusters" else places[:MAX_PLACES]
            # the enterprises whose distance may reach one of them (none without places: an empty box)
            reach = Box(min(p["lon"] for p in places), min(p["lat"] for p in places), max(p["lon"] for p in places),
                        max(p["lat"] for p in places)).grown(max_pd) if places else Box(0.0, 1.0, 0.0, -1.0)
            around = _points(_located(qs).filter(reach.q(), protection_distance_m__gt=0),
                             "name", pd=F("protection_distance_m"))
            names = {e["id"]: e["name"] for e in around}
            for eid, near in _near(around, places).items():
                for p, d in near:
                    inside[p["id"]].append({"id": eid, "name": names[eid], "distance_m": round(d)})
            flagged = _near([{"id": e.pk, "lat": float(e.latitude), "lon": float(e.longitude),
                              "pd": e.protection_distance_m} for e in enterprises], read)
        ids = [e.pk for e in enterprises]
        overlays = {key: overlay(user, ids) for key, overlay in MAP_OVERLAYS.items()} if ids else {}
        kinds = dict(GatheringPlace.Kind.choices)
        markers = _within(MARKER_BYTES, ({
            "id": e.pk, "name": e.name, "lat": float(e.latitude), "lon": float(e.longitude),
            "level": e.risk_level, "reason": e.risk_reason, "township": e.township.name,
            "sectors": [s.name for s in e.sectors.all()], "url": e.get_absolute_url(),
            "protection_distance_m": e.protection_distance_m,
            "flagged": [{"id": p["id"], "name": p["name"], "kind": kinds.get(p["kind"], p["kind"]),
                         "distance_m": round(d)} for p, d in flagged.get(e.pk, [])],
            **{key: values.get(e.pk) for key, values in overlays.items()},
        } for e in enterprises))
        truncated = total > len(markers)
        markers.reverse()  # the most severe drawn last (on top)
        shown_places = _within(PLACE_BYTES, ({
            "id": p["id"], "name": p["name"], "kind": kinds.get(p["kind"], p["kind"]),
            "township": p["township__name"], "people": p["people"], "lat": p["lat"], "lon": p["lon"],
            "flagged": bool(inside.get(p["id"])), "inside": inside.get(p["id"], []),
        } for p in places))
        places_truncated = places_truncated or len(shown_places) < len(places)
        unlocated = list(_unlocated(qs).select_related("township").prefetch_related(None)
                         .order_by(F("risk_level").desc(nulls_last=True), "name", "pk")[:MAX_UNLOCATED])
        seats = Division.objects.visible_to(user).filter(
            level__in=[Division.Level.COUNTY, Division.Level.TOWNSHIP],
            latitude__isnull=False, longitude__isnull=False).order_by("code")
        return JsonResponse({
            "mode": mode,
            "bbox": box.as_list() if box else None,
            "zoom": zoom,
            "total": total,
            "truncated": truncated,
            "levels": legend,
            "enterprises": markers,
            "clusters": clusters,
            "unlocated": [{"id": e.pk, "name": e.name, "url": e.get_absolute_url(), "level": e.risk_level,
                           "township": e.township.name} for e in unlocated],
            "unlocated_count": unlocated_count,
            "townships": [{"id": d.pk, "name": d.name, "level": d.level, "lat": float(d.latitude),
                           "lon": float(d.longitude)} for d in seats],
            "gathering_places": shown_places,
            "places_truncated": places_truncated,
            "counts": {k: n for k, n in totals.items() if n},
        }, json_dumps_params={"ensure_ascii": False})

    @staticmethod
    def clusters(in_view, box: Box, zoom: float | None, legend: list[dict]) -> list[dict]:
        """The enterprises of the view counted per grid cell, in the database (one GROUP BY):
        per cell the count, the centroid, the box, the count per level and the worst level. The grid
        is fixed to the earth (cells about CLUSTER_PX screen pixels at ``zoom``), so a cluster
        stays where it is when the map is panned; without a zoom the view is cut in DEFAULT_GRID."""
        if zoom is not None:
            cell_lon = 360.0 / 2 ** zoom * CLUSTER_PX / 256
        else:
            cell_lon = max(box.max_lon - box.min_lon, box.max_lat - box.min_lat, 1e-3) / DEFAULT_GRID
        mid = (box.min_lat + box.max_lat) / 2
        shrink = max(0.1, math.cos(math.radians(mid)))
        cells = (box.max_lon - box.min_lon) / cell_lon * (box.max_lat - box.min_lat) / (cell_lon * shrink)
        if cells > MAX_CELLS:
            cell_lon *= math.sqrt(cells / MAX_CELLS)
        cell_lat = cell_lon * shrink

        def num(field):  # in floating point: PostgreSQL's numeric arithmetic is several times slower
            return Cast(field, FloatField())

        def cell(field, origin, size):
            return Floor(ExpressionWrapper((num(field) - Value(origin)) / Value(size), output_field=FloatField()))

        counts = {f"n_{lv['key']}": Count("pk", filter=Q(risk_level=lv["value"]) if lv["value"]
                                          else Q(risk_level__isnull=True)) for lv in legend}
        rows = (in_view.order_by()
                .annotate(gx=cell("longitude", -180.0, cell_lon), gy=cell("latitude", -90.0, cell_lat))
                .values("gx", "gy")
                .annotate(n=Count("pk"), lat=Avg(num("latitude")), lon=Avg(num("longitude")), worst=Max("risk_level"),
                          s=Min("latitude"), w=Min("longitude"), nn=Max("latitude"), e=Max("longitude"), **counts)
                .order_by("gy", "gx"))
        out = []
        for r in rows:
            out.append({
                "lat": round(float(r["lat"]), 6), "lon": round(float(r["lon"]), 6), "n": r["n"],
                "worst": r["worst"],
                "counts": {lv["key"]: r[f"n_{lv['key']}"] for lv in legend if r[f"n_{lv['key']}"]},
                "bounds": [float(r["w"]), float(r["s"]), float(r["e"]), float(r["nn"])],
            })
        return out


# ---------------------------------------------------------------- the table (一张表)

def _per_enterprise(qs, aggregate):
    """``aggregate`` over ``qs``'s rows of the outer enterprise: a correlated subquery, so a page
    of 50 rows computes 50 of them (joins grouped over every enterprise cost the whole table)."""
    return Subquery(qs.filter(enterprise=OuterRef("pk")).order_by().values("enterprise")
                    .annotate(v=aggregate).values("v")[:1])


def annotate_table(qs):
    """The table's columns, computed in the database (one row per enterprise, no join: each
    column is a subquery of the enterprise's own rows, evaluated only for the rows shown unless
    the table is sorted by it; the count of the paginator leaves them out)."""
    today = timezone.localdate()
    warn = today + datetime.timedelta(days=Licence.WARN_DAYS)
    major = MajorHazardSource.objects.filter(is_major=True)
    licences = Licence.objects.all()

    def count(rows):
        return Coalesce(_per_enterprise(rows, Count("pk")), 0, output_field=IntegerField())

    return qs.annotate(
        major_grade=_per_enterprise(major, Min("grade")),
        major_count=count(major),
        facility_count=count(Facility.objects.all()),
        licence_count=count(licences),
        expired_count=count(licences.filter(valid_to__lt=today)),
        expiring_count=count(licences.filter(valid_to__gte=today, valid_to__lte=warn)),
    )


class TableView(ScopedListView):
    """一张表: the visible enterprises with their level and what makes it, sorted and
    paginated in the database; ``?export=xlsx`` downloads every filtered, sorted row
    (the table is ``risks.tables.RiskTable``)."""

    model = Enterprise
    filterset_class = RiskTableFilter
    table_class = RiskTable
    template_name = "risks/table.html"
    select_related = ("township",)
    prefetch_related = ("sectors", Prefetch("facilities", queryset=Facility.objects.only(
        "id", "enterprise_id", "kind").order_by("kind", "id")))
    paginate_by = 50

    def get_queryset(self):
        return annotate_table(super().get_queryset())

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        base = self.request.GET.copy()
        for k in ("page", "sort", "export", "cols"):
            base.pop(k, None)
        ctx.update(legend=level_legend(), warn_days=Licence.WARN_DAYS, map_querystring=base.urlencode())
        return ctx


# ---------------------------------------------------------------- dashboard charts


def risk_chart_data(user) -> dict:
    """Counts of the visible enterprises by level × sector and level × township (two grouped
    queries, then the names of the few townships and sectors), with the level colours, for
    ``risks/_risk_charts.html``."""
    qs = Enterprise.objects.visible_to(user).order_by()
    legend = level_legend()
    keys = [lv["key"] for lv in legend]

    def block(rows, id_field, name_field, sort_field):
        cats: dict = {}
        for r in rows:
            cid = r[id_field]
            cat = cats.setdefault(cid, {"id": cid, "name": r[name_field] or "未分类", "sort": r[sort_field],
                                        "counts": dict.fromkeys(keys, 0)})
            cat["counts"][str(r["risk_level"]) if r["risk_level"] else UNRATED["key"]] += r["n"]
        ordered = sorted(cats.values(), key=lambda c: (c["id"] is None, c["sort"] is None,
                                                         0 if c["sort"] is None else c["sort"], c["name"]))
        return {
            "categories": [c["name"] for c in ordered],
            "ids": [c["id"] for c in ordered],
            "series": {k: [c["counts"][k] for c in ordered] for k in keys},
            "totals": [sum(c["counts"].values()) for c in ordered],
        }

    # grouped by ids only (no names joined, no DISTINCT: an enterprise has one township and each
    # sector once), from the indexes enterprise_town_level and enterprise_id_level; the names come
    # from the few townships and sectors afterwards
    from worksafe.org.models import Division, Sector

    by_township = list(qs.values("township_id", "risk_level").annotate(n=Count("pk")))
    by_sector = list(qs.values("sectors", "risk_level").annotate(n=Count("pk")))
    towns = {d.pk: d for d in Division.objects.filter(pk__in={r["township_id"] for r in by_township} - {None})}
    sectors = {s.pk: s for s in Sector.objects.filter(pk__in={r["sectors"] for r in by_sector} - {None})
               .select_related("area")}
    for r in by_township:
        d = towns.get(r["township_id"])
        r["township__name"], r["township__code"] = (d.name, d.code) if d else (None, None)
    for r in by_sector:
        s = sectors.get(r["sectors"])
        r["sectors__id"] = r["sectors"]
        r["sectors__name"] = s.name if s else None
        r["sectors__area__order"] = s.area.order if s and s.area_id else None
    township = block(by_township, "township_id", "township__name", "township__code")
    return {
        "levels": legend,
        "sector": block(by_sector, "sectors__id", "sectors__name", "sectors__area__order"),
        "township": township,
        "total": sum(township["totals"]),
        "table_url": reverse("risks:table"),
        "map_url": reverse("risks:map"),
    }
