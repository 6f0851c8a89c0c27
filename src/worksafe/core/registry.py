"""How the apps plug into core's shared pages and commands.

Core knows no domain app (docs/architecture.md, "Layers"). The home dashboard, an object's page
that other apps add to (the enterprise file), the tick, the demo, the demo server, the live
metrics plan targets read, the enterprise colour and the risk map each read one registry here,
and each app fills the registries it contributes to in its ``AppConfig.ready()`` (usually by
importing its ``hooks`` module). Registering the same key twice replaces the entry, so a module
imported again does not add a second one.

| registry | filled with | read by |
|---|---|---|
| :data:`PANELS` | dashboard panels: a template and a context function per role | the home page |
| :data:`SECTIONS` | sections of another app's object page, by model label and slot | e.g. the enterprise file |
| ``core.tick.STEPS`` | idempotent tick jobs | ``worksafe tick`` |
| :data:`DEMO_LOADERS` | demo data loaders, in order | ``worksafe demo`` |
| :data:`SERVE_HOOKS` | options and background threads of the demo server | ``worksafe serve`` |
| ``core.metrics.REGISTRY`` | live metrics for plan targets | plan targets, dashboard |
| :data:`LEVEL_RAISERS` | rules that raise an enterprise's colour one level | the enterprise colour |
| :data:`MAP_OVERLAYS` | per-enterprise extras for the risk map's markers | the map data |
| :data:`NAV_MENUS` | each app's menu in the staff navigation bar | every page's header |
| :data:`REPORT_FIGURES` | other apps' lines in an enterprise's periodic and dual reports | hazards' reports |
| :data:`SEARCH_PROVIDERS` | each app's answer to the header's search, within the user's scope | the search page |
| :data:`PICKERS` | rows a form field picks by typed search (an enterprise, a person …), within the user's scope | ``core.picker`` |
| :data:`BENCHES` | the benchmarks ``worksafe bench <name>`` runs (``ingest``, ``pages`` …) | ``worksafe bench`` |
| :data:`SCALE_FILLERS` | bulk fillers of each app's rows for a benchmark at province scale | ``worksafe bench pages`` |
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

# ---------------------------------------------------------------- dashboard panels


@dataclass(frozen=True)
class Panel:
    """One card group of the home page. ``context(request, scope)`` returns the template's context,
    or ``None`` when the user's role does not get the panel. A ``deferred`` panel (its counts read
    large tables) is not computed with an officer's desk: the desk shows a placeholder that loads
    it from ``/panels/<key>/`` (docs/pages.md, "The desk")."""

    key: str
    template: str
    context: Callable[[Any, Any], dict | None]
    order: int = 100
    deferred: bool = False


PANELS: dict[str, Panel] = {}


def dashboard_panel(key: str, template: str, order: int = 100, deferred: bool = False):
    """Decorator: register ``func(request, scope) -> dict | None`` as the home page panel ``key``
    (``deferred``: loaded after the desk, from its own request)."""

    def deco(func):
        PANELS[key] = Panel(key, template, func, order, deferred)
        return func

    return deco


def panels_for(request, scope, defer: bool = False) -> list[tuple[Panel, dict | None]]:
    """The panels ``request.user`` gets, in order, each with its context; with ``defer`` the
    deferred panels come with ``None`` (not computed: the page loads them afterwards)."""
    out = []
    for panel in sorted(PANELS.values(), key=lambda p: (p.order, p.key)):
        if defer and panel.deferred:
            out.append((panel, None))
            continue
        ctx = panel.context(request, scope)
        if ctx is not None:
            out.append((panel, ctx))
    return out


# ---------------------------------------------------------------- sections of another app's page


@dataclass(frozen=True)
class Section:
    """A part another app adds to an object's page: ``context(request, obj, scope)`` returns the
    template's context (it must start from ``visible_to``), or ``None`` to show nothing."""

    model: str  # "app_label.ModelName"
    slot: str  # where on the page: e.g. "alerts" above the record, "cards" below it
    key: str
    template: str
    context: Callable[[Any, Any, Any], dict | None]
    order: int = 100


SECTIONS: dict[tuple[str, str], Section] = {}


def page_section(model: str, key: str, template: str, slot: str = "cards", order: int = 100):
    """Decorator: register ``func(request, obj, scope) -> dict | None`` as a section of ``model``'s page."""

    def deco(func):
        SECTIONS[(model, key)] = Section(model, slot, key, template, func, order)
        return func

    return deco


def sections_for(request, obj, scope) -> dict[str, list[tuple[Section, dict]]]:
    """The sections of ``obj``'s page by slot, in order, each with its context."""
    label = obj._meta.label
    out: dict[str, list[tuple[Section, dict]]] = {}
    for section in sorted((s for s in SECTIONS.values() if s.model == label), key=lambda s: (s.order, s.key)):
        ctx = section.context(request, obj, scope)
        if ctx is not None:
            out.setdefault(section.slot, []).append((section, ctx))
    return out


# ---------------------------------------------------------------- the demo


@dataclass(frozen=True)
class DemoLoader:
    """One app's part of ``worksafe demo``: ``load(out)`` writes its data unless it is there already
    (running the demo again keeps existing data) and prints a line to ``out``."""

    key: str
    load: Callable[[Callable[[str], None]], None]
    order: int


DEMO_LOADERS: dict[str, DemoLoader] = {}


def demo_loader(key: str, order: int):
    def deco(func):
        DEMO_LOADERS[key] = DemoLoader(key, func, order)
        return func

    return deco


# ---------------------------------------------------------------- the demo server


@dataclass(frozen=True)
class ServeHook:
    """What an app adds to ``worksafe serve``: command-line options, and ``start(options, stop, out, err)``
    which starts its background threads (they end when ``stop`` is set)."""

    key: str
    add_arguments: Callable[[Any], None]
    start: Callable[[dict, Any, Callable[[str], None], Callable[[str], None]], None]


SERVE_HOOKS: dict[str, ServeHook] = {}


# ---------------------------------------------------------------- the enterprise colour and the map

#: ``raiser(enterprise) -> reason | None``: each raiser that gives a reason raises the enterprise's
#: colour one level (the plan: an overdue major hazard, a serious-dishonesty listing, …).
LEVEL_RAISERS: dict[str, Callable[[Any], str | None]] = {}

#: ``overlay(user, enterprise_ids) -> {enterprise_id: value}``: the risk map adds ``value`` to each
#: marker under the overlay's key (e.g. the open monitoring alarms of each enterprise). It must
#: start from ``visible_to(user)`` and cost one query whatever the number of markers.
MAP_OVERLAYS: dict[str, Callable[[Any, list[int]], dict[int, Any]]] = {}


def map_overlay(key: str):
    def deco(func):
        MAP_OVERLAYS[key] = func
        return func

    return deco


# ---------------------------------------------------------------- the navigation bar


@dataclass(frozen=True)
class NavMenu:
    """One app's entry in the navigation bar: a template holding one ``<li class="nav-item">``
    (usually a dropdown). It renders with the page's context (``scope``, ``nav_roles``, ``user``),
    so it decides itself which links a role gets."""

    key: str
    template: str
    order: int = 100


NAV_MENUS: dict[str, NavMenu] = {}


def nav_menu(key: str, template: str, order: int = 100) -> None:
    """Register ``template`` as the navigation menu ``key`` (lower ``order`` is further left)."""
    NAV_MENUS[key] = NavMenu(key, template, order)


def nav_menus() -> list[str]:
    """The menu templates in order."""
    return [m.template for m in sorted(NAV_MENUS.values(), key=lambda m: (m.order, m.key))]


# ---------------------------------------------------------------- the global search


@dataclass(frozen=True)
class SearchResult:
    """One hit of the header's search: what it is (``kind``, e.g. "企业"), its title, a line of
    detail and its page."""

    kind: str
    title: str
    url: str
    detail: str = ""


@dataclass(frozen=True)
class SearchProvider:
    key: str
    label: str
    search: Callable[[Any, str], list[SearchResult]]
    order: int = 100


#: ``search(user, q) -> [SearchResult]``: each app answers the header's search for its rows. It must
#: start from ``visible_to(user)`` (a row outside the user's scope never shows) and return at most
#: :data:`SEARCH_LIMIT` results.
SEARCH_PROVIDERS: dict[str, SearchProvider] = {}
SEARCH_LIMIT = 20


def search_provider(key: str, label: str, order: int = 100):
    """Decorator: register ``func(user, q) -> list[SearchResult]`` as the search of ``label`` rows."""

    def deco(func):
        SEARCH_PROVIDERS[key] = SearchProvider(key, label, func, order)
        return func

    return deco


def search_all(user, q: str) -> list[tuple[SearchProvider, list[SearchResult]]]:
    """Every provider's results for ``q`` (providers without results are left out), in order."""
    out = []
    for p in sorted(SEARCH_PROVIDERS.values(), key=lambda p: (p.order, p.key)):
        results = list(p.search(user, q))[:SEARCH_LIMIT]
        if results:
            out.append((p, results))
    return out


# ---------------------------------------------------------------- pickers (a row chosen by typing)


@dataclass(frozen=True)
class Picker:
    """A kind of row a form picks by typing instead of from a select of every row
    (``core.picker.PickerField``): ``rows(user)`` is what the user may pick (from ``visible_to``),
    ``search(qs, q)`` narrows it to what ``q`` finds, ``exact(qs, text)`` to the rows ``text`` names
    exactly (the picker's own ``text(row)``, a full name, a code), ``text(row)`` is how a row reads in
    the input."""

    key: str
    label: str
    rows: Callable[[Any], Any]
    search: Callable[[Any, str], Any]
    exact: Callable[[Any, str], Any]
    text: Callable[[Any], str]
    placeholder: str = ""


#: the pickers by key (``/pick/<key>/?q=`` answers at most :data:`PICK_LIMIT` matches)
PICKERS: dict[str, Picker] = {}
PICK_LIMIT = 20


def register_picker(key: str, label: str, *, rows, search, exact, text, placeholder: str = "") -> Picker:
    PICKERS[key] = Picker(key, label, rows, search, exact, text, placeholder)
    return PICKERS[key]


# ---------------------------------------------------------------- an enterprise's reports


@dataclass(frozen=True)
class ReportFigure:
    """One line another app adds to an enterprise's periodic statistics and monthly dual report
    (双报告): ``compute(enterprise, start, cutoff) -> number | None`` over the report's period up to
    its cut-off; ``None`` leaves the line out (e.g. a duty that does not apply)."""

    key: str
    label: str
    compute: Callable[[Any, Any, Any], Any]


REPORT_FIGURES: dict[str, ReportFigure] = {}


def report_figure(key: str, label: str):
    """Decorator: register ``func(enterprise, start, cutoff)`` as the report line ``key``."""

    def deco(func):
        REPORT_FIGURES[key] = ReportFigure(key, label, func)
        return func

    return deco


# ---------------------------------------------------------------- benchmarks


@dataclass(frozen=True)
class Bench:
    """One ``worksafe bench <name>``: ``add_arguments(parser)`` adds its flags to its sub-command,
    ``run(command, **options)`` runs it on a throw-away database (``core.bench.throwaway_database``)
    and writes its figures to ``command.stdout``."""

    name: str
    help: str
    add_arguments: Callable[[Any], None]
    run: Callable[..., None]


BENCHES: dict[str, Bench] = {}


def bench(name: str, help: str, add_arguments: Callable[[Any], None]):
    """Decorator: register ``run(command, **options)`` as ``worksafe bench <name>``."""

    def deco(func):
        BENCHES[name] = Bench(name, help, add_arguments, func)
        return func

    return deco


@dataclass(frozen=True)
class ScaleFiller:
    """One app's part of a province-scale data set: ``fill(world, size)`` bulk-creates the app's rows
    for ``world`` (a dict the fillers share: enterprises, townships, sectors … added by earlier
    fillers) at ``size`` (the bench's parameters) and adds what later fillers need to ``world``."""

    key: str
    fill: Callable[[dict, Any], None]
    order: int = 100


SCALE_FILLERS: dict[str, ScaleFiller] = {}


def scale_filler(key: str, order: int = 100):
    """Decorator: register ``fill(world, size)`` as the scale filler ``key`` (run in ``order``)."""

    def deco(func):
        SCALE_FILLERS[key] = ScaleFiller(key, func, order)
        return func

    return deco
