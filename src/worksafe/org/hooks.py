"""What the org app adds to shared mechanisms: the scope resolver, the live metric of qualified
inspectors (``org/metrics.py``), the demo's organisation and logins."""

from worksafe.core import scoping
from worksafe.core.registry import demo_loader, nav_menu

from . import metrics  # noqa: F401  (registers live plan metrics)
from .scoping import compute_scope

scoping.SCOPE_RESOLVER = compute_scope


@demo_loader("org", order=10)
def _demo_org(out):
    from . import demo

    demo.load(out)


@demo_loader("logins", order=1000)
def _demo_logins(out):
    from . import demo

    demo.print_logins(out)

nav_menu("org", "org/_nav.html", order=900)
