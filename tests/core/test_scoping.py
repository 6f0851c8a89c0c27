"""The scoping test: every URL pattern and API route, as every role.

It enumerates the URL conf, so a route added later is walked too:
- a list route (no kwargs) never shows, counts or exports a row outside the role's
  scope (every scoped row carries a unique token in its displayed text);
- a route taking an object id answers 404 for an id outside the scope (403 is
  accepted only where the role may not use the route at all), and does not 404
  for an id inside it;
- an API list's ``count`` is the size of the role's scope.
"""

import io
import re
import zipfile

import pytest
from django.apps import apps
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.conftest import TOKEN_FIELDS

ROLES = ["county", "leader", "dept", "transport", "township", "inspector", "enterprise", "nobody", None]
SKIP_NAMESPACES = {"admin"}  # Django admin: staff only, tested below
TOKEN = re.compile(r"Q[A-Z]{2,6}\d{2}|QUSER[A-Z]+|QMEM[A-Z]+|QNOTE[A-Z]+")


def walk(patterns=None, prefix="", ns=None):
    for p in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(p, URLResolver):
            sub_ns = ":".join(filter(None, [ns, p.namespace])) if p.namespace else ns
            if p.namespace in SKIP_NAMESPACES:
                continue
            yield from walk(p.url_patterns, prefix + str(p.pattern), sub_ns)
        elif isinstance(p, URLPattern) and p.name:
            route = prefix + str(p.pattern)
            if "format" in p.pattern.regex.groupindex:
                continue  # DRF's .json suffix twins of routes already walked
            yield (f"{ns}:{p.name}" if ns else p.name), route, p


def route_model(p):
    cb = p.callback
    cls = getattr(cb, "view_class", None) or getattr(cb, "cls", None)
    model = getattr(cls, "model", None)
    if model is None and getattr(cls, "queryset", None) is not None:
        model = cls.queryset.model
    return cls, model


def route_methods(cls, cb):
    actions = getattr(cb, "actions", None)
    if actions:
        return [m for m in ("get", "post") if m in actions]
    names = getattr(cls, "http_method_names", ["get"])
    return ["get"] if "get" in names and hasattr(cls, "get") else ["post"]


ROUTES = list(walk())
LIST_ROUTES = [(n, r, p) for n, r, p in ROUTES if not p.pattern.regex.groupindex]
OBJECT_ROUTES = [(n, r, p) for n, r, p in ROUTES if "pk" in p.pattern.regex.groupindex]
#: routes with a path argument that is not a row's id, each held to the scope by its own tests
KEYED_ROUTES = {"core:pick": "tests/core/test_picker.py (search within visible_to, invisible ids refused)",
                "core:panel": "test_desk_panels_show_nothing_outside_scope (every panel as every role)"}


def scoped_models():
    return [m for m in apps.get_models() if hasattr(m.objects, "visible_to")]


#: people appear by name as the actors of rows the viewer may see (who filed, who checked);
#: their own lists and pages are held to the scope by the count and 404 tests below.
ACTOR_MODELS = {"org.User", "org.Membership"}


def tokens_outside(user):
    """Tokens of every scoped row the user must not see (less those that a row it may see
    also carries: a notice's title names the enterprise it is about)."""
    hidden, shown = set(), set()
    for model in scoped_models():
        field = TOKEN_FIELDS.get(model._meta.label)
        if field is None or model._meta.label in ACTOR_MODELS:
            continue
        visible = set(model.objects.visible_to(user).values_list("pk", flat=True))
        for pk, value in model.objects.values_list("pk", field):
            (shown if pk in visible else hidden).update(TOKEN.findall(str(value or "")))
    return hidden - shown


def body_text(resp) -> str:
    ctype = resp.get("Content-Type", "")
    content = b"".join(resp.streaming_content) if resp.streaming else resp.content
    if "spreadsheetml" in ctype:
        with zipfile.ZipFile(io.BytesIO(content)) as z:
            return " ".join(z.read(n).decode("utf-8", "replace") for n in z.namelist() if n.endswith(".xml"))
    return content.decode("utf-8", "replace")


def test_every_scoped_model_has_a_token_field():
    missing = [m._meta.label for m in scoped_models() if m._meta.label not in TOKEN_FIELDS
               and m.objects.visible_to.__func__ is not None and not _public(m)]
    assert not missing, f"scoped models without a token in tests/conftest.py TOKEN_FIELDS: {missing}"


def _public(model):
    return getattr(model.objects.get_queryset(), "public_to_members", False)


def test_routes_are_enumerated():
    names = {n for n, _, _ in ROUTES}
    # the walk reaches pages and the API; if it silently found nothing the test below would pass vacuously
    assert {"home", "plans:task_detail", "plans:task_list", "task-detail", "task-list"} <= names
    assert len(OBJECT_ROUTES) >= 15


def test_routes_with_other_arguments_are_known():
    """A route whose path argument is not an id is not walked by the tests below: each must be
    named in KEYED_ROUTES with the tests that hold it to the scope."""
    keyed = {n for n, _, p in ROUTES if p.pattern.regex.groupindex and "pk" not in p.pattern.regex.groupindex}
    assert keyed == set(KEYED_ROUTES)


def test_object_routes_know_their_model():
    """A route taking an id must name its model, or this test cannot check it."""
    unknown = [name for name, _, p in OBJECT_ROUTES if route_model(p)[1] is None]
    assert not unknown, f"routes with an id but no model (set view.model / viewset.queryset): {unknown}"


@pytest.mark.parametrize("role", ROLES)
def test_lists_show_nothing_outside_scope(world, client_for, role):
    user = world.users[role] if role else None
    client = client_for(user)
    forbidden = tokens_outside(user) if user else set()
    assert user is None or role in ("county", "leader") or forbidden, "the world must have rows outside this scope"
    seen_any = 0
    for name, _route, p in LIST_ROUTES:
        url = reverse(name)
        cls, _ = route_model(p)
        if "get" not in route_methods(cls, p.callback) or name == "logout":
            continue
        for suffix in ("", "?export=xlsx", "?late=true") + (("?panels=all",) if name == "home" else ()):
            resp = client.get(url + suffix)
            if resp.status_code != 200:
                continue
            text = body_text(resp)
            leaked = sorted(t for t in forbidden if t in text)
            assert not leaked, f"{role} sees {leaked} on {url + suffix}"
            seen_any += len(TOKEN.findall(text))
    if role in ("county", "dept"):
        assert seen_any > 0, "no token shown at all: the pages or the tokens are broken"


@pytest.mark.parametrize("role", ROLES)
def test_desk_panels_show_nothing_outside_scope(world, client_for, role):
    """The desk's panels as their own requests (/panels/<key>/, loaded after the desk)."""
    from worksafe.core.registry import PANELS

    user = world.users[role] if role else None
    client = client_for(user)
    forbidden = tokens_outside(user) if user else set()
    for key in PANELS:
        resp = client.get(reverse("core:panel", args=[key]))
        if user is None:
            assert resp.status_code == 302  # the login page
            continue
        assert resp.status_code == 200, (key, resp.status_code)
        leaked = sorted(t for t in forbidden if t in body_text(resp))
        assert not leaked, f"{role} sees {leaked} on the {key} panel"


@pytest.mark.parametrize("role", ROLES)
def test_api_list_counts_match_scope(world, client_for, role):
    user = world.users[role] if role else None
    client = client_for(user)
    for name, _route, p in LIST_ROUTES:
        cls, model = route_model(p)
        if not name.endswith("-list") or model is None:
            continue
        resp = client.get(reverse(name))
        if user is None:
            assert resp.status_code in (401, 403), name
            continue
        assert resp.status_code == 200, name
        assert resp.json()["count"] == model.objects.visible_to(user).count(), f"{role} {name}"


@pytest.mark.parametrize("role", ROLES)
def test_object_ids_outside_scope_are_404(world, client_for, role):
    user = world.users[role] if role else None
    client = client_for(user)
    checked = 0
    for name, _route, p in OBJECT_ROUTES:
        cls, model = route_model(p)
        methods = route_methods(cls, p.callback)
        method = methods[0]
        visible = model.objects.visible_to(user) if user else model.objects.none()
        outside = model.objects.exclude(pk__in=visible.values("pk")).first()
        inside = visible.first()

        def call(pk, name=name, method=method):
            url = reverse(name, kwargs={"pk": pk})
            return client.get(url) if method == "get" else client.post(url, {})

        if user is None:
            if outside is not None:
                assert call(outside.pk).status_code in (302, 401, 403), f"anonymous reaches {name}"
            continue
        if outside is not None:
            status = call(outside.pk).status_code
            if status == 403:
                assert call(10**9).status_code == 403, f"{role} {name}: 403 for an id outside scope leaks it"
            else:
                assert status == 404, f"{role} {name} id={outside.pk} outside scope answered {status}"
            checked += 1
        if inside is not None and method == "get":
            assert call(inside.pk).status_code != 404, f"{role} {name} id={inside.pk} in scope answered 404"
    if role not in ("county", "leader", None):
        assert checked > 5


def test_admin_is_for_staff_only(world, client_for):
    for role in ("dept", "county", "enterprise"):
        resp = client_for(world.users[role]).get("/admin/plans/task/")
        assert resp.status_code == 302 and "/admin/login/" in resp["Location"]
