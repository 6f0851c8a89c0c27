"""What the reporting app adds to shared mechanisms: the menu, the demo, the tick and panels
(each sub-domain's hooks module registers its own)."""

from worksafe.core.registry import nav_menu

from .assessment import hooks as _assessment  # noqa: F401
from .reports import hooks as _reports  # noqa: F401
from .summaries import hooks as _summaries  # noqa: F401

nav_menu("reporting", "reporting/_nav.html", order=88)
