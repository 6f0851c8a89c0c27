"""一张图、一张表: the risk map and the risk table (plan 三(一) "绘制安全风险分布'一张图'、'一张表'").

Every row starts from ``Enterprise.objects.visible_to(user)`` (DESIGN.md §3.2). The map
and the table share one filter (sector, township, level); the table adds a search,
licence state and major hazard filters, sorts in the database and exports .xlsx.
The level colours come from :mod:`worksafe.standards.levels` and reach the browser as
JSON, never hard-coded in a template or script.
"""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict

from django.conf import settings
from django.db.models import Count, F, Min, Prefetch, Q
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


class MapMixin(ScopedMixin):
    model = Enterprise
    select_related = ("township",)
    prefetch_related = ("sectors",)

    def filtered(self):
        self.filterset = RiskMapFilter(self.request.GET or None, queryset=self.get_queryset(), request=self.request)
        return self.filterset.qs


class MapView(MapMixin, TemplateView):
    """The map page: filters, legend, the map, and the enterprises it cannot place."""

    template_name = "risks/map.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        qs = self.filtered()
        query = self.request.GET.urlencode()
        data_url = reverse("risks:map_data") + (f"?{query}" if query else "")
        tile_url = getattr(settings, "WORKSAFE_MAP_TILE_URL", "") or ""
        basemap_url = reverse("risks:basemap") if basemap.basemap_installed() else ""
        ctx.update(
            filter=self.filterset,
            querystring=query,
            legend=level_legend(),
            unlocated=list(qs.filter(Q(latitude__isnull=True) | Q(longitude__isnull=True))
                           .order_by(F("risk_level").desc(nulls_last=True), "name", "pk")),
            tile_url=tile_url,
            basemap_url=basemap_url,
            map_config={
                "data_url": data_url,
                "tile_url": tile_url,
                "basemap_url": basemap_url,
                "attribution": getattr(settings, "WORKSAFE_MAP_TILE_ATTRIBUTION", "") or "",
                "levels": level_legend(),
                "style": MAP_STYLE,
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


def _flag_places(enterprises: list[Enterprise], places: list[GatheringPlace]) -> dict[int, list]:
    """enterprise id → [(place, distance)] inside its protection distance (as
    :func:`worksafe.risks.services.gathering_places_within`, in memory for all at once)."""
    found: dict[int, list] = {}
    for e in enterprises:
        if not (e.protection_distance_m and e.latitude is not None and e.longitude is not None):
            continue
        lat, lon, radius = float(e.latitude), float(e.longitude), e.protection_distance_m
        min_lat, max_lat, min_lon, max_lon = geo.bounding_box(lat, lon, radius)
        near = []
        for p in places:
            plat, plon = float(p.latitude), float(p.longitude)
            if min_lat <= plat <= max_lat and min_lon <= plon <= max_lon:
                d = geo.distance_m(lat, lon, plat, plon)
                if d <= radius:
                    near.append((p, d))
        found[e.pk] = sorted(near, key=lambda x: x[1])
    return found


class MapData(MapMixin, View):
    """JSON of the visible enterprises (same filters as the page), township seats and
    gathering places, with the places inside a protection distance flagged."""

    def get(self, request, *args, **kwargs):
        user = request.user
        rows = list(self.filtered().order_by("risk_level", "name", "pk"))  # most severe drawn last (on top)
        located = [e for e in rows if e.latitude is not None and e.longitude is not None]
        located_ids = {e.pk for e in located}
        places = list(GatheringPlace.objects.visible_to(user).select_related("township"))
        flagged = _flag_places(located, places)
        inside: dict[int, list] = defaultdict(list)
        overlays = {key: overlay(user, located_ids) for key, overlay in MAP_OVERLAYS.items()}
        enterprises = []
        for e in located:
            near = flagged.get(e.pk, [])
            for p, d in near:
                inside[p.pk].append({"id": e.pk, "name": e.name, "distance_m": round(d)})
            lv = level_info(e.risk_level)
            enterprises.append({
                "id": e.pk, "name": e.name, "lat": float(e.latitude), "lon": float(e.longitude),
                "level": e.risk_level, "hex": lv["hex"], "label": lv["label"], "colour_name": lv["colour_name"],
                "reason": e.risk_reason, "township": e.township.name,
                "sectors": [s.name for s in e.sectors.all()], "url": e.get_absolute_url(),
                "status": e.get_status_display(),
                "protection_distance_m": e.protection_distance_m,
                "flagged": [{"id": p.pk, "name": p.name, "kind": p.get_kind_display(), "distance_m": round(d)}
                            for p, d in near],
                **{key: values.get(e.pk) for key, values in overlays.items()},
            })
        seats = Division.objects.visible_to(user).filter(
            level__in=[Division.Level.COUNTY, Division.Level.TOWNSHIP],
            latitude__isnull=False, longitude__isnull=False).order_by("code")
        return JsonResponse({
            "levels": level_legend(),
            "enterprises": enterprises,
            "unlocated": [{"id": e.pk, "name": e.name, "url": e.get_absolute_url(), "level": e.risk_level,
                           "township": e.township.name} for e in rows if e.pk not in located_ids],
            "townships": [{"id": d.pk, "name": d.name, "level": d.level, "lat": float(d.latitude),
                           "lon": float(d.longitude)} for d in seats],
            "gathering_places": [{
                "id": p.pk, "name": p.name, "kind": p.get_kind_display(), "township": p.township.name,
                "people": p.people, "lat": float(p.latitude), "lon": float(p.longitude),
                "flagged": bool(inside.get(p.pk)), "inside": inside.get(p.pk, []),
            } for p in places],
            "counts": dict(Counter(str(e.risk_level or UNRATED["key"]) for e in rows)),
        }, json_dumps_params={"ensure_ascii": False})


# ---------------------------------------------------------------- the table (一张表)

def annotate_table(qs):
    """The table's columns, computed in the database (one row per enterprise)."""
    today = timezone.localdate()
    warn = today + datetime.timedelta(days=Licence.WARN_DAYS)
    return qs.annotate(
        major_grade=Min("major_hazard_sources__grade", filter=Q(major_hazard_sources__is_major=True)),
        major_count=Count("major_hazard_sources", filter=Q(major_hazard_sources__is_major=True), distinct=True),
        facility_count=Count("facilities", distinct=True),
        licence_count=Count("licences", distinct=True),
        expired_count=Count("licences", filter=Q(licences__valid_to__lt=today), distinct=True),
        expiring_count=Count("licences", filter=Q(licences__valid_to__gte=today, licences__valid_to__lte=warn),
                             distinct=True),
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
    """Counts of the visible enterprises by level × sector and level × township (two
    queries), with the level colours, for ``risks/_risk_charts.html``."""
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

    by_sector = qs.values("sectors__id", "sectors__name", "sectors__area__order", "risk_level").annotate(
        n=Count("pk", distinct=True))
    by_township = qs.values("township_id", "township__name", "township__code", "risk_level").annotate(
        n=Count("pk", distinct=True))
    township = block(by_township, "township_id", "township__name", "township__code")
    return {
        "levels": legend,
        "sector": block(by_sector, "sectors__id", "sectors__name", "sectors__area__order"),
        "township": township,
        "total": sum(township["totals"]),
        "table_url": reverse("risks:table"),
        "map_url": reverse("risks:map"),
    }
