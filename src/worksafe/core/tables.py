"""One table layer for every list: declared once per list (``<app>/tables.py``), it gives
the page its columns (with their special cells), sorting in the database on declared
columns only, column choice (``?cols=``), and the print-ready .xlsx of exactly the filtered,
sorted rows (``?export=xlsx``), all from the same declaration. The shared list view
(:class:`worksafe.core.views.ScopedListView`) does the rest once for every list.

A list declares::

    class TaskTable(Table):
        title = "专项整治任务清单"
        code = Column("编号", sort=("area__order", "order"), td_class="text-nowrap")
        text = Column("任务", cell='<a href="{{ row.get_absolute_url }}">{{ row.short_text }}</a>',
                      value=lambda t: t.text)
        due_date = Column("时限", sort=("due_date", "pk"))
        percent = Column("进度", cell="{{ value }}%")

A column's page cell is ``cell`` (a template snippet with ``row``, ``value``, ``table``,
``today``, ``user``; ``{% load worksafe %}`` is implied) or the value, formatted; its
spreadsheet cell is ``value(row)`` or the value itself, typed (dates, numbers). ``page=False``
columns are exported only, ``export=False`` ones shown only. A table may add named exports
(a document with a prescribed layout) to ``exports``; ``?export=<name>`` picks one.
"""

from __future__ import annotations

import datetime
import functools
import inspect
import itertools
import operator
import re

from django.db.models import F
from django.db.models.expressions import OrderBy
from django.db.models.manager import BaseManager
from django.template import Context, Engine
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe

from .export import stream_workbook, xlsx_response

_counter = itertools.count()
#: rows fetched (and prepared) at a time by an export
EXPORT_CHUNK = 2000


def _flip(term):
    """The descending form of one ORDER BY term."""
    if isinstance(term, str):
        return term[1:] if term.startswith("-") else f"-{term}"
    if isinstance(term, OrderBy):
        flipped = term.copy()
        flipped.reverse_ordering()
        return flipped
    if isinstance(term, F):
        return term.desc()
    return term


def display(value) -> str:
    """A value as the page shows it."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, datetime.datetime):
        return (timezone.localtime(value) if timezone.is_aware(value) else value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return "、".join(str(v) for v in value) or "—"
    if isinstance(value, float):
        return number_format(value, decimal_pos=2)
    return str(value)


@functools.cache
def _display_labels(cls, method: str):
    """``(attname, {value: label})`` of ``cls``'s ``get_<field>_display`` when it is Django's own
    (not overridden), else None."""
    if not hasattr(cls, "_meta"):
        return None
    if not isinstance(inspect.getattr_static(cls, method, None), functools.partialmethod):
        return None
    try:
        field = cls._meta.get_field(method[4:-8])
    except Exception:  # FieldDoesNotExist
        return None
    return field.attname, {k: str(v) for k, v in field.flatchoices}


class Column:
    """One column of a table. ``accessor`` (default: the column's name) is a dotted path
    (``township.name``; a method on the way is called, e.g. ``get_status_display``) or a
    callable of the row."""

    def __init__(self, header: str, accessor=None, *, sort=None, sort_desc=None, descending_first=False,
                 cell: str | None = None, link: bool = False, value=None, page: bool = True,
                 export: bool = True, hideable: bool = True, width: float | None = None, td_class: str = "",
                 th_class: str = "", export_header: str | None = None, from_values=None):
        self.header = header
        #: ``(paths, fn)``: the export value from those ``values_list`` paths, ``fn(*values)``,
        #: for a column whose accessor or ``value`` is a callable of the row
        self.from_values = from_values
        self.export_header = export_header or header
        self.accessor = accessor
        self.sort = tuple(sort) if isinstance(sort, (list, tuple)) else ((sort,) if sort else ())
        self.sort_desc = tuple(sort_desc) if sort_desc else tuple(_flip(t) for t in self.sort)
        self.descending_first = descending_first  # the arrows read "most first" (e.g. severity)
        self.cell = cell
        self.link = link
        self.value_fn = value
        self.page = page
        self.export = export
        self.hideable = hideable
        self.width = width
        self.td_class = td_class
        self.th_class = th_class
        self.name = ""
        self._order = next(_counter)
        self._template = None
        self._parts = None

    @property
    def sortable(self) -> bool:
        return bool(self.sort)

    def resolve(self, row):
        acc = self.accessor or self.name
        if callable(acc):
            return acc(row)
        if self._parts is None:
            self._parts = acc.split(".")
        value = row
        last = len(self._parts) - 1
        for i, part in enumerate(self._parts):
            if value is None:
                return None
            if i == last and part.startswith("get_") and part.endswith("_display"):
                labels = _display_labels(type(value), part)
                if labels is not None:  # Django's get_<field>_display, without its per-call work
                    raw = getattr(value, labels[0])
                    return labels[1].get(raw, raw)
            value = getattr(value, part, None)
            if isinstance(value, BaseManager):
                value = [str(x) for x in value.all()]
            elif callable(value):
                value = value()
        return value

    def export_value(self, row):
        return self.value_fn(row) if self.value_fn else self.resolve(row)

    def values_plan(self, model, annotations=()):
        """How the export reads this column from ``values_list`` rows instead of model objects:
        ``(paths, fn)`` (``fn(*values)`` is the cell; None: the value itself), or None when it
        cannot (a callable without ``from_values``, a method or property, a many-to-many, a
        related object shown as text). A dotted accessor is followed through forward foreign
        keys; ``get_<field>_display`` becomes a lookup in the field's choices."""
        if self.from_values:
            paths, fn = self.from_values
            return tuple(paths), fn
        if self.value_fn or callable(self.accessor or self.name):
            return None
        parts = (self.accessor or self.name).split(".")
        if len(parts) == 1 and parts[0] in annotations:
            return (parts[0],), None
        opts = model._meta
        path = []
        for i, part in enumerate(parts):
            last = i == len(parts) - 1
            m = re.fullmatch(r"get_(\w+)_display", part) if last else None
            try:
                field = opts.get_field(m.group(1) if m else part)
            except Exception:  # FieldDoesNotExist: a property, a method, an attribute set on the row
                return None
            if not getattr(field, "concrete", False) or field.many_to_many:
                return None
            if field.is_relation:
                if last or not (field.many_to_one or field.one_to_one):
                    return None  # the related object itself: its str() needs the object
                path.append(field.name)
                opts = field.related_model._meta
                continue
            if not last:
                return None
            path.append(field.name)
            if m:
                if not field.choices:
                    return None
                labels = {k: str(v) for k, v in field.flatchoices}
                return ("__".join(path),), lambda v, labels=labels: labels.get(v, v)
            return ("__".join(path),), None
        return None

    def render(self, row, ctx: dict):
        if self.cell is not None:
            if self._template is None:
                self._template = Engine.get_default().from_string("{% load worksafe %}" + self.cell)
            html = self._template.render(Context({**ctx, "row": row, "value": self.resolve(row)}))
            return mark_safe(html)
        html = conditional_escape(display(self.resolve(row)))
        if self.link and hasattr(row, "get_absolute_url"):
            return format_html('<a href="{}">{}</a>', row.get_absolute_url(), html)
        return html


class Table:
    """A list's table; subclass it and declare :class:`Column` attributes in display order."""

    title = ""
    #: the file name of the .xlsx (``{date}`` becomes today's date, 20260901)
    filename = ""
    #: the ?sort= key used when none (or an unknown one) is given; None keeps the view's order
    default_sort: str | None = None
    empty_text = "没有记录"
    #: extra classes of the <table> (e.g. ``table-sm`` for dense lists)
    css = ""
    #: named exports: ``?export=<name>`` → method name; ``xlsx`` is the table itself
    exports = {"xlsx": "export_table"}
    #: column names, when the export lists columns in another order than the page
    export_order: tuple[str, ...] = ()
    columns: dict[str, Column] = {}

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        cols = {}
        for base in reversed(cls.__mro__[1:]):
            cols.update(getattr(base, "columns", {}) or {})
        own = [(k, v) for k, v in vars(cls).items() if isinstance(v, Column)]
        for name, col in sorted(own, key=lambda kv: kv[1]._order):
            col.name = name
            cols[name] = col
        cls.columns = cols

    def __init__(self, request, *, context: dict | None = None):
        self.request = request
        self.today = timezone.localdate()
        self.context = context or {}
        get = request.GET
        key = get.get("sort", "")
        self.sort_key = key if self._sort_terms(key) else self.default_sort
        chosen = []
        for raw in get.getlist("cols"):
            chosen += [c.strip() for c in raw.split(",") if c.strip()]
        valid = {n for n in chosen if n in self.columns and self.columns[n].page}
        self.chosen = valid  # empty: every column

    # ------------------------------------------------------------ sorting

    def _sort_terms(self, key: str | None):
        if not key:
            return ()
        col = self.columns.get(key.lstrip("-"))
        if not col or not col.sortable or key.count("-") > 1:
            return ()
        return col.sort_desc if key.startswith("-") else col.sort

    def order(self, qs):
        """``qs`` ordered by the current sort key (declared sortable columns only)."""
        terms = self._sort_terms(self.sort_key)
        return qs.order_by(*terms) if terms else qs

    # ------------------------------------------------------------ columns

    def shown(self, col: Column) -> bool:
        return not self.chosen or col.name in self.chosen or not col.hideable

    @property
    def page_columns(self) -> list[Column]:
        return [c for c in self.columns.values() if c.page and self.shown(c)]

    @property
    def export_columns(self) -> list[Column]:
        cols = [c for c in self.columns.values() if c.export and (not c.page or self.shown(c))]
        if self.export_order:
            rank = {n: i for i, n in enumerate(self.export_order)}
            cols.sort(key=lambda c: rank.get(c.name, len(rank)))
        return cols

    def choices(self) -> list[dict]:
        """The column chooser: every page column the user may hide, and whether it is shown."""
        return [{"name": c.name, "header": c.header, "shown": self.shown(c)}
                for c in self.columns.values() if c.page and c.hideable]

    def kept_params(self) -> list[tuple[str, str]]:
        """The query string as hidden fields for the column chooser (all but cols/page/export)."""
        return [(k, v) for k, vs in self.request.GET.lists() if k not in ("cols", "page", "export") for v in vs]

    def _query(self, **changes) -> str:
        q = self.request.GET.copy()
        for k in ("page", "export"):
            q.pop(k, None)
        for k, v in changes.items():
            q.pop(k, None)
            if v is not None:
                q[k] = v
        return q.urlencode()

    def headers(self) -> list[dict]:
        out = []
        for c in self.page_columns:
            h = {"name": c.name, "header": c.header, "sortable": c.sortable, "th_class": c.th_class}
            if c.sortable:
                asc, desc = c.name, f"-{c.name}"
                current = self.sort_key
                h["url"] = "?" + self._query(sort=desc if current == asc else asc)
                first, second = ("desc", "asc") if c.descending_first else ("asc", "desc")
                h["state"] = first if current == asc else second if current == desc else ""
                h["arrow"] = {"asc": "▲", "desc": "▼", "": ""}[h["state"]]
            out.append(h)
        return out

    # ------------------------------------------------------------ rows

    def row_class(self, row) -> str:
        return ""

    def prepare(self, rows):
        """A hook to attach per-row values once (e.g. computed from prefetched rows)."""
        return rows

    def cell_context(self) -> dict:
        user = getattr(self.request, "user", None)
        return {"table": self, "today": self.today, "user": user, "request": self.request, **self.context}

    def rows(self, records) -> list[dict]:
        records = self.prepare(list(records))
        ctx = self.cell_context()
        cols = self.page_columns
        return [{"record": r, "class": self.row_class(r),
                 "cells": [{"html": c.render(r, ctx), "td_class": c.td_class} for c in cols]} for r in records]

    # ------------------------------------------------------------ export

    def export_filename(self) -> str:
        name = self.filename or f"{self.title}{{date}}.xlsx"
        return name.replace("{date}", f"{self.today:%Y%m%d}")

    def export_title(self) -> str:
        return self.title

    def export_lines(self) -> list[str]:
        """Lines between the title and the header row (none by default: the header is row 2)."""
        return []

    def for_export(self, qs):
        """A hook to fetch what only the export shows (e.g. a prefetch)."""
        return qs

    def extra_export_rows(self, cols: list[Column]) -> list[list]:
        """Rows the export adds after the records (e.g. who has not reported), one value per column."""
        return []

    #: read the export from ``values_list`` rows when every exported column can
    #: (:meth:`Column.values_plan`); a table whose :meth:`prepare` attaches what the export shows
    #: is read as objects unless it sets this to True
    export_values: bool | None = None

    def export_plan(self, records, cols: list[Column]):
        """``(paths, getters)``: the ``values_list`` paths of the export and one function per
        column from a values row to its cell, or None when the export reads model objects."""
        if not hasattr(records, "values_list") or self.export_values is False:
            return None
        if self.export_values is None and type(self).prepare is not Table.prepare:
            return None
        annotations = set(records.query.annotations)
        plans = [c.values_plan(records.model, annotations) for c in cols]
        if any(p is None for p in plans):
            return None
        paths: list[str] = ["pk"]  # one row per record, as the objects are (a DISTINCT keeps them apart)
        getters = []
        for col_paths, fn in plans:
            idx = []
            for path in col_paths:
                if path not in paths:
                    paths.append(path)
                idx.append(paths.index(path))
            if fn is None:
                getters.append(operator.itemgetter(idx[0]))
            elif len(idx) == 1:
                getters.append(lambda row, i=idx[0], fn=fn: fn(row[i]))
            else:
                getters.append(lambda row, idx=tuple(idx), fn=fn: fn(*(row[i] for i in idx)))
        return paths, getters

    def export_rows(self, records, cols: list[Column]):
        """The export's rows of cell values: from ``values_list`` rows (:meth:`export_plan`),
        else from the model objects of :meth:`export_records`."""
        records = self.for_export(records)
        plan = self.export_plan(records, cols)
        if plan is None:
            getters = [c.export_value for c in cols]
            for r in self.export_records(records):
                yield [g(r) for g in getters]
            return
        paths, getters = plan
        for row in records.values_list(*paths).iterator(chunk_size=EXPORT_CHUNK):
            yield [g(row) for g in getters]

    def export_records(self, records):
        """The export's records, fetched ``EXPORT_CHUNK`` at a time (never all at once) and each
        chunk through :meth:`prepare`; a list (already fetched) is prepared as it is."""
        if not hasattr(records, "iterator"):
            yield from self.prepare(list(records))
            return
        it = records.iterator(chunk_size=EXPORT_CHUNK)
        while chunk := list(itertools.islice(it, EXPORT_CHUNK)):
            yield from self.prepare(chunk)

    def export_table(self, records):
        """The table as shown (exported columns), streamed (:func:`worksafe.core.export.stream_workbook`)."""
        cols = self.export_columns
        rows = self.export_rows(records, cols)
        f = stream_workbook(self.export_title(), [c.export_header for c in cols], rows,
                            widths=[c.width for c in cols], lines=self.export_lines(),
                            tail=lambda: self.extra_export_rows(cols))
        return xlsx_response(self.export_filename(), f)

    def export(self, name: str, records):
        """The response of the named export, or None when the table has no such export."""
        method = self.exports.get(name)
        return getattr(self, method)(records) if method else None
