"""The lifecycle layer: one shape for every state machine (DESIGN.md §3.1 "State machines are
explicit").

A domain app declares its lifecycle once, as a :class:`Lifecycle` holding :class:`Transition` s,
and gets from this module everything that used to be written per app:

- :meth:`Lifecycle.take` — the one way a person moves a row: inside a transaction it locks the
  row (``select_for_update``), checks the version the user was shown (:class:`Conflict`, 409, when
  stale), finds the step allowed from the current state (a :class:`ServiceError` naming the
  current state when it is not), checks who may take it (the one write check of
  :mod:`worksafe.core.scoping` — read-only users, rows outside ``visible_to`` — then the step's
  own rule), validates the step's input with its form, applies the step, sets the state, bumps
  the version, saves with :func:`save_as` (the history names the actor and the reason), records
  the action (the lifecycle's ``record`` hook) and notifies (:func:`notify`: inbox rows in the
  transaction, email after commit);
- :meth:`Lifecycle.allowed_steps` — exactly the steps a user may take now (pages show only
  those; the API lists their names in ``allowed_steps``);
- :class:`LifecycleActView` — the one page POST for every step (on bad input it re-renders the
  detail page with the form errors and the typed text kept, status 400);
- :class:`LifecycleViewSetMixin` — the one API action, ``POST {id}/step/``, whose request body is
  built from the table (``step`` is an enum of the step names in the OpenAPI schema, ``version``
  is required, the other fields are the union of the steps' form fields);
- :class:`AllowedStepsField` — ``allowed_steps`` in an API serializer.

Declaring a lifecycle::

    HAZARD = Lifecycle(
        Hazard, noun="隐患", conflict="该隐患刚刚已被他人处理,请刷新页面查看最新状态后再操作。",
        denied="您无权处理该隐患。", record=record_action, after_save=refresh_colour,
        transitions=[
            Transition("confirm", "确认隐患", [S.REPORTED], S.CONFIRMED, who=may_confirm,
                       form=ConfirmForm, apply=apply_confirm, notify=tell_confirmed,
                       reason="确认隐患", message="已确认隐患。"),
            ...
        ])

Rules a declaration follows:

- step names are unique in a lifecycle and are the API's enum values; labels are what users
  read (button text); ``sources`` are the states the step may be taken from; ``target`` the
  state it leads to (``None``: the row stays in its state, e.g. a progress report);
- ``who(act)`` raises :class:`NotAllowed` with a Chinese message, or returns; it runs after the
  general write check (so it may assume a writer who sees the row) and after the form, so it may
  look at the input (``act.data``);
- ``form`` is a Django form class; the page renders it and binds the POST, the API binds the
  request body, service functions bind their keyword arguments: one validation for all three.
  Leave fields whose emptiness the service explains in Chinese ``required=False`` (with a
  ``required`` widget attribute for the browser) so every caller gets that message;
- ``apply(act)`` does the step-specific validation (:class:`ServiceError` with ``field``) and
  field changes on ``act.obj`` (the locked row); it may set ``act.note`` / ``act.attachments``
  (recorded), ``act.reason`` (history) and ``act.message`` (the page's success message);
- ``notify(act)`` returns a :class:`Notice` (or several, or None) sent once the row is written.

System-side moves that must not pay for a lock and a form (ingestion raising or clearing
alarms) stay in their hot path; services that create rows or edit fields alongside a move
(``report_hazard``, ``update_measure``, ``file_progress``) use the pieces: :meth:`Lifecycle.lock`,
:meth:`Lifecycle.transition_to`, :meth:`Lifecycle.check`, :meth:`Lifecycle.save`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.datastructures import MultiValueDict
from django.views import View
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from .scoping import require_write
from .services import Conflict, ServiceError, notify, save_as
from .views import ScopedMixin

__all__ = [
    "Act", "AllowedStepsField", "Lifecycle", "LifecycleActView", "LifecycleViewSetMixin", "Notice", "StepInvalid",
    "StepPanel", "Transition", "allowed_steps", "lifecycle_of", "take",
]

#: every declared lifecycle, by model (``take(obj, …)`` finds the one of ``type(obj)``)
REGISTRY: dict[type, Lifecycle] = {}


class StepInvalid(ServiceError):
    """The step's form refused the input; ``form`` is the bound form with its errors."""

    def __init__(self, form: forms.Form):
        errors = form.errors.as_data()
        name, errs = next(iter(errors.items())) if errors else (None, [])
        message = errs[0].messages[0] if errs else "请检查填写的内容。"
        label = form.fields[name].label if name in form.fields else None
        super().__init__(f"{label}:{message}" if label else message,
                         field=None if name == NON_FIELD_ERRORS else name)
        self.form = form


@dataclass(frozen=True)
class Notice:
    """What to tell whom once a step is written (users, departments, or ``members(unit, *roles)``;
    see :func:`notify`). Each step's notice is one event: a person gets it once, and the one who
    took the step does not get it."""

    recipients: Iterable
    title: str
    body: str = ""
    email: bool = True


@dataclass(frozen=True)
class Transition:
    """One step of a lifecycle's table."""

    name: str  # the API's enum value and the page's step field value
    label: str  # what users read (the button)
    sources: Sequence[str]  # the states it may be taken from
    target: str | None = None  # the state it leads to; None: stays
    who: Callable[[Act], None] | None = None  # raises NotAllowed (Chinese) unless the user may
    officer: bool = False  # only the supervising side (core.scoping.is_officer)
    denied: str | None = None  # the refusal for a row outside the user's scope (default: the lifecycle's)
    form: type[forms.Form] | None = None  # its input, for page, API and services alike
    initial: Callable[[Any], dict] | None = None  # the form's initial values on the page
    apply: Callable[[Act], None] | None = None  # step-specific checks and field changes
    notify: Callable[[Act], Notice | Iterable[Notice] | None] | None = None
    reason: str | None = None  # the history's reason (default: the label; "" for none)
    message: str = ""  # the page's success message (default: what was done to which row, see ``success_message``)
    help: str = ""  # a line shown above the step's form
    danger: bool = False  # shown as a cautionary button

    def __post_init__(self):
        object.__setattr__(self, "sources", tuple(self.sources))


@dataclass
class Act:
    """One step being taken: what the hooks read and write."""

    lifecycle: Lifecycle
    transition: Transition
    obj: Any  # the locked row
    user: Any
    from_state: str
    data: dict = field(default_factory=dict)  # the form's cleaned data
    note: str = ""  # recorded with the action
    attachments: list = field(default_factory=list)  # files recorded with the action
    reason: str | None = None  # overrides the transition's history reason
    message: str | None = None  # overrides the transition's success message
    extra: dict = field(default_factory=dict)  # anything a hook hands to a later hook

    @property
    def name(self) -> str:
        return self.transition.name


class Lifecycle:
    """A model's state machine: its table of transitions and how its rows are written."""

    def __init__(self, model, transitions: Sequence[Transition], *, noun: str, state_field: str = "state",
                 version_field: str = "version", labels: dict[str, str] | None = None,
                 conflict: str | None = None, denied: str = "您无权修改该记录。",
                 record: Callable[[Act], None] | None = None, before_save: Callable[[Act], None] | None = None,
                 after_save: Callable[[Act], None] | None = None, lock_related: Sequence[str] = ()):
        self.model = model
        self.transitions = list(transitions)
        names = [t.name for t in self.transitions]
        if len(names) != len(set(names)):
            raise ValueError(f"{model.__name__}: step names must be unique")
        self.noun = noun
        self.state_field = state_field
        self.version_field = version_field
        self.labels = labels if labels is not None else dict(model._meta.get_field(state_field).choices or [])
        self.conflict = conflict or f"该{noun}刚刚已被他人修改,请刷新页面查看最新状态后再操作。"
        self.denied = denied
        self.record = record
        self.before_save = before_save
        self.after_save = after_save
        self.lock_related = tuple(lock_related)
        REGISTRY[model] = self

    def __repr__(self):
        return f"<Lifecycle {self.model.__name__}: {', '.join(self.step_names)}>"

    # ------------------------------------------------------------ the table

    @property
    def step_names(self) -> list[str]:
        return [t.name for t in self.transitions]

    def get(self, name: str) -> Transition | None:
        return next((t for t in self.transitions if t.name == name), None)

    def state_of(self, obj) -> str:
        return getattr(obj, self.state_field)

    def label_of(self, state: str) -> str:
        return self.labels.get(state, state)

    def success_message(self, act: Act) -> str:
        """What the page tells the user a step did: the step's own message (``act.message``, set by
        ``apply`` with the step's details, else the transition's), naming the row and the state it is
        now in when the message does not (e.g. "已开始整改:隐患 YH-2026-0001,当前状态:整改中。")."""
        if act.message:
            return act.message
        t = act.transition
        code = str(getattr(act.obj, "code", None) or act.obj)
        now = f",当前状态:{self.label_of(self.state_of(act.obj))}" if t.target is not None else ""
        if t.message and code in t.message:
            return t.message
        head = t.message.rstrip("。") if t.message else t.label
        return f"{head}:{self.noun} {code}{now}。"

    def from_state(self, state: str) -> list[Transition]:
        return [t for t in self.transitions if state in t.sources]

    def find(self, obj, name: str) -> Transition:
        """The step ``name`` allowed from ``obj``'s state, or a refusal naming the current state."""
        t = self.get(name)
        if t is None:
            raise ServiceError("未知操作。")
        state = self.state_of(obj)
        if state not in t.sources:
            raise ServiceError(f"{self.noun}当前为“{self.label_of(state)}”,不能执行该操作。")
        return t

    def transition_to(self, obj, new_state: str, *, field: str | None = None) -> Transition:
        """The step leading from ``obj``'s state to ``new_state`` (a step that stays when they are
        equal), for services that are given the wanted state rather than a step name."""
        state = self.state_of(obj)
        for t in self.from_state(state):
            if (t.target or state) == new_state:
                return t
        raise ServiceError(f"不能从“{self.label_of(state)}”变为“{self.label_of(new_state)}”。", field=field)

    # ------------------------------------------------------------ who may

    def check(self, act: Act, *, known_visible: bool = False) -> None:
        """The general write check (read-only users, rows outside the scope), then the step's rule."""
        t = act.transition
        require_write(act.user, act.obj, t.denied or self.denied, officer=t.officer, known_visible=known_visible)
        if t.who is not None:
            t.who(act)

    def may(self, user, obj, name: str, *, known_visible: bool = False) -> bool:
        try:
            t = self.find(obj, name)
            self.check(Act(self, t, obj, user, self.state_of(obj)), known_visible=known_visible)
        except ServiceError:
            return False
        return True

    def allowed_steps(self, user, obj, *, known_visible: bool = False) -> list[Transition]:
        """Exactly the steps ``user`` may take now (``known_visible``: the row came from visible_to)."""
        return [t for t in self.from_state(self.state_of(obj))
                if self.may(user, obj, t.name, known_visible=known_visible)]

    # ------------------------------------------------------------ writing

    def lock(self, obj, version=None):
        """The row, locked for the transaction; a :class:`Conflict` if ``version`` is not its version."""
        qs = self.model._default_manager.select_for_update()
        if self.lock_related:
            qs = qs.select_related(*self.lock_related)
        locked = qs.get(pk=obj.pk)
        if version not in (None, ""):
            try:
                seen = int(version)
            except (TypeError, ValueError):
                raise ServiceError("版本号不正确。", field="version") from None
            if seen != getattr(locked, self.version_field):
                raise Conflict(self.conflict)
        return locked

    def save(self, obj, user, reason: str | None = None):
        """Bump the version and save with the history naming ``user`` and ``reason``."""
        setattr(obj, self.version_field, getattr(obj, self.version_field) + 1)
        return save_as(obj, user, reason)

    def clean(self, t: Transition, data=None, files=None) -> dict:
        """The step's input, validated by its form (:class:`StepInvalid` when refused)."""
        if t.form is None:
            return {}
        form = t.form(data=data if data is not None else {}, files=_files(files))
        if not form.is_valid():
            raise StepInvalid(form)
        return dict(form.cleaned_data)

    def commit(self, act: Act) -> Act:
        """Write a checked and applied step: state, version, history, action record, notices."""
        t, obj = act.transition, act.obj
        if t.target is not None:
            setattr(obj, self.state_field, t.target)
        if self.before_save is not None:
            self.before_save(act)
        reason = act.reason if act.reason is not None else (t.reason if t.reason is not None else t.label)
        self.save(obj, act.user, reason or None)
        if self.after_save is not None:
            self.after_save(act)
        if self.record is not None:
            self.record(act)
        if t.notify is not None:
            notices = t.notify(act)
            if isinstance(notices, Notice):
                notices = [notices]
            url = obj.get_absolute_url() if hasattr(obj, "get_absolute_url") else ""
            event = f"{obj._meta.label}:{obj.pk}:{t.name}:{getattr(obj, self.version_field, '')}"
            for i, n in enumerate(notices or ()):
                notify(n.recipients, n.title, n.body, url=url, email=n.email, key=f"{event}:{i}", exclude=[act.user])
        return act

    def take(self, obj, user, name: str, *, version=None, data=None, files=None, reason: str | None = None,
             known_visible: bool = False) -> Act:
        """Take step ``name`` on ``obj`` as ``user``; returns the :class:`Act` (``act.obj`` is the
        written row). ``data``/``files`` are the step form's input (a POST, an API body, or a
        service's keyword arguments); ``version`` the version the user was shown (None: unchecked,
        for services acting on a row they just read)."""
        with transaction.atomic():
            locked = self.lock(obj, version)
            t = self.find(locked, name)
            act = Act(self, t, locked, user, self.state_of(locked), reason=reason)
            require_write(user, locked, t.denied or self.denied, officer=t.officer, known_visible=known_visible)
            act.data = self.clean(t, data, files)
            if t.who is not None:
                t.who(act)
            if t.apply is not None:
                t.apply(act)
            return self.commit(act)

    # ------------------------------------------------------------ pages

    def panel(self, user, obj, *, url: str, field: str = "step", bound: tuple[str, forms.Form] | None = None,
              known_visible: bool = True) -> StepPanel:
        """The allowed steps with their forms for a detail page (``bound``: the step and bound form
        of a refused POST, shown again with its errors and the typed text)."""
        steps = []
        for t in self.allowed_steps(user, obj, known_visible=known_visible):
            if bound is not None and bound[0] == t.name and bound[1] is not None:
                form = bound[1]
            elif t.form is not None:
                form = t.form(initial=t.initial(obj) if t.initial else None)
            else:
                form = None
            steps.append(StepForm(t, form))
        return StepPanel(steps, url, field, getattr(obj, self.version_field))


def _files(files):
    if files is None:
        return MultiValueDict()
    if isinstance(files, MultiValueDict):
        return files
    return MultiValueDict({k: list(v) if isinstance(v, (list, tuple)) else [v] for k, v in files.items()})


def lifecycle_of(obj_or_model) -> Lifecycle:
    model = obj_or_model if isinstance(obj_or_model, type) else type(obj_or_model)
    return REGISTRY[model]


def take(obj, user, name: str, **kwargs) -> Act:
    """:meth:`Lifecycle.take` on the lifecycle of ``type(obj)``."""
    return lifecycle_of(obj).take(obj, user, name, **kwargs)


def allowed_steps(user, obj, *, known_visible: bool = False) -> list[Transition]:
    return lifecycle_of(obj).allowed_steps(user, obj, known_visible=known_visible)


# ---------------------------------------------------------------- page view


@dataclass
class StepForm:
    transition: Transition
    form: forms.Form | None

    def __getattr__(self, name):  # name, label, help, danger … of the transition
        return getattr(self.transition, name)


@dataclass
class StepPanel:
    """What ``core/_lifecycle_steps.html`` renders: one card per allowed step."""

    steps: list[StepForm]
    url: str
    field: str
    version: int

    def __iter__(self):
        return iter(self.steps)

    def __len__(self):
        return len(self.steps)

    def __bool__(self):
        return bool(self.steps)


class LifecycleActView(ScopedMixin, View):
    """The one page POST for every step of a lifecycle (the form carries the step name in
    ``step_field`` and the version it was shown). Success: the step's message and back to the
    object. Bad input: the detail page again with the errors and the typed text, status 400.
    Refusals (403) and conflicts (409): with ``redisplay_refusals`` the detail page again with the
    input kept and the refusal's status, else the message and back to the object."""

    lifecycle: Lifecycle = None
    detail_view = None  # the detail page's view class (its context takes ``bound_step``)
    step_field = "step"
    redisplay_refusals = False
    http_method_names = ["post"]

    def get_queryset(self):
        if self.model is None:
            self.model = self.lifecycle.model
        return super().get_queryset()

    def post(self, request, pk):
        obj = get_object_or_404(self.get_queryset(), pk=pk)
        lc = self.lifecycle
        name = request.POST.get(self.step_field, "")
        t = lc.get(name)
        try:
            if t is None:
                raise ServiceError("未知操作。")
            act = lc.take(obj, request.user, name, version=request.POST.get("version"), data=request.POST,
                          files=request.FILES, known_visible=True)
        except StepInvalid as e:
            if self.detail_view is None or self.redisplay_refusals:
                messages.error(request, e.message)
            if self.detail_view is None:
                return redirect(obj)
            return self.redisplay(request, obj, 400, name, e.form)
        except ServiceError as e:
            form = None
            if t is not None and t.form is not None:
                form = t.form(data=request.POST, files=request.FILES)
                form.is_valid()
                if e.field in form.fields:
                    form.add_error(e.field, e.message)
                elif e.status_code == 400 and not self.redisplay_refusals:
                    form.add_error(None, e.message)
            if self.detail_view is not None and (self.redisplay_refusals or (e.status_code == 400 and form)):
                if self.redisplay_refusals:
                    messages.error(request, e.message)
                return self.redisplay(request, obj, e.status_code, name, form)
            messages.error(request, e.message)
            return redirect(obj)
        messages.success(request, lc.success_message(act))
        return redirect(act.obj)

    def redisplay(self, request, obj, status: int, name: str, form):
        view = self.detail_view(request=request, args=(), kwargs={"pk": obj.pk})
        view.object = view.get_queryset().get(pk=obj.pk)
        ctx = view.get_context_data(object=view.object, bound_step=(name, form))
        return render(request, view.template_name, ctx, status=status)


# ---------------------------------------------------------------- API


@extend_schema_field(serializers.ListField(child=serializers.CharField()))
class AllowedStepsField(serializers.Field):
    """The names of the steps the requesting user may take now."""

    def __init__(self, lifecycle: Lifecycle, **kwargs):
        self.lifecycle = lifecycle
        kwargs.update(source="*", read_only=True)
        super().__init__(**kwargs)

    def to_representation(self, obj):
        request = self.context.get("request")
        if request is None:
            return []
        return [t.name for t in self.lifecycle.allowed_steps(request.user, obj, known_visible=True)]


def _api_field(f: forms.Field) -> serializers.Field:
    common = {"required": False, "help_text": str(f.help_text or f.label or "") or None}
    if isinstance(f, forms.ModelMultipleChoiceField):
        return serializers.PrimaryKeyRelatedField(queryset=f.queryset, many=True, **common)
    if isinstance(f, forms.ModelChoiceField):
        return serializers.PrimaryKeyRelatedField(queryset=f.queryset, allow_null=True, **common)
    if isinstance(f, forms.ChoiceField):
        return serializers.ChoiceField(choices=[c for c in f.choices if c[0] not in ("", None)], allow_blank=True,
                                       **common)
    if isinstance(f, forms.BooleanField):
        return serializers.BooleanField(**common)
    if isinstance(f, forms.DateTimeField):
        return serializers.DateTimeField(allow_null=True, **common)
    if isinstance(f, forms.DateField):
        return serializers.DateField(allow_null=True, **common)
    if isinstance(f, forms.DecimalField):
        return serializers.DecimalField(max_digits=f.max_digits, decimal_places=f.decimal_places, allow_null=True,
                                        **common)
    if isinstance(f, forms.IntegerField):
        return serializers.IntegerField(allow_null=True, **common)
    if isinstance(f, forms.FileField):
        return serializers.ListField(child=serializers.FileField(), **common)
    return serializers.CharField(allow_blank=True, allow_null=True, **common)


def step_serializer(lifecycle: Lifecycle) -> type[serializers.Serializer]:
    """The API request of ``POST {id}/step/``, built from the table: ``step`` (an enum of the step
    names), ``version`` (required), and the union of the steps' form fields."""
    attrs: dict[str, Any] = {
        "step": serializers.ChoiceField(choices=[(t.name, t.label) for t in lifecycle.transitions],
                                        help_text="; ".join(f"{t.name}: {t.label}" for t in lifecycle.transitions)),
        "version": serializers.IntegerField(help_text="the version the client last saw (concurrency check)"),
    }
    for t in lifecycle.transitions:
        for name, f in (t.form.base_fields.items() if t.form else ()):
            if name not in attrs:
                attrs[name] = _api_field(f)
    return type(f"{lifecycle.model.__name__}StepSerializer", (serializers.Serializer,), attrs)


class LifecycleViewSetMixin:
    """Adds ``POST {id}/step/`` to a scoped viewset: set ``lifecycle`` on the class. The answer is
    the object (with its ``version`` and ``allowed_steps``); a stale version answers 409."""

    lifecycle: Lifecycle = None

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        lc = cls.__dict__.get("lifecycle")
        if lc is None:
            return
        request_serializer = step_serializer(lc)

        def step(self, request, pk=None):
            obj = get_object_or_404(self.get_queryset(), pk=pk)
            s = request_serializer(data=request.data)
            s.is_valid(raise_exception=True)
            d = s.validated_data
            act = lc.take(obj, request.user, d["step"], version=d["version"], data=request.data, files=request.FILES,
                          known_visible=True)
            fresh = self.get_queryset().filter(pk=act.obj.pk).first() or act.obj
            return Response(self.get_serializer(fresh).data)

        step.__name__ = "step"
        step.__doc__ = (f"Take a step of the {lc.model._meta.verbose_name} lifecycle "
                        f"({', '.join(lc.step_names)}) with the version last seen.")
        schema = extend_schema(request=request_serializer, responses=cls.serializer_class)
        cls.step = schema(action(detail=True, methods=["post"])(step))
        cls.step_request_serializer = request_serializer
