"""The inline JavaScript the Content-Security-Policy allows by hash (settings.py, "Deployment" block).

The policy allows scripts from this site only, plus:

- inline ``<script>`` blocks whose text is fixed (no template tag inside): allowed by their SHA-256,
  computed here from the templates at start-up, so a template changed or merged in stays allowed;
- inline event handlers (``onsubmit="return confirm(…)"``): allowed by hash with ``'unsafe-hashes'``
  (CSP level 3), the same way;
- a script that needs template values: ``<script nonce="{{ request.csp_nonce }}">`` (django-csp).

Nothing else inline runs (no ``'unsafe-inline'`` for scripts, no ``eval``: htmx trigger filters
``[…]`` and ``hx-on`` need eval and do not work). ``tests/core/test_deploy.py`` fails on a template
with an inline script or handler that is neither fixed text nor nonce'd. Pure Python (settings.py
imports it before Django is set up).
"""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent.parent

SCRIPT = re.compile(r"<script(?P<attrs>[^>]*)>(?P<body>.*?)</script>", re.S | re.I)
HANDLER = re.compile(r"""\son[a-z]+\s*=\s*(?:"(?P<dq>[^"]*)"|'(?P<sq>[^']*)')""", re.I)
TAG = re.compile(r"{[{%]")
#: htmx features that evaluate strings (blocked without 'unsafe-eval')
HTMX_EVAL = re.compile(r"""hx-on[:\-]|hx-trigger\s*=\s*["'][^"']*\[|hx-vals\s*=\s*["']\s*js:""", re.I)


def sha256(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


@dataclass
class Inline:
    scripts: set[str] = field(default_factory=set)    # hash sources of fixed inline scripts
    handlers: set[str] = field(default_factory=set)   # hash sources of fixed inline handlers
    problems: list[str] = field(default_factory=list)  # "<template>: <what>" that the policy blocks


def templates(root: Path = PACKAGE_DIR) -> list[Path]:
    """The project's templates: ``templates/`` of the package, of each app and of its sub-packages."""
    dirs = [root / "templates", *sorted(root.glob("*/templates")), *sorted(root.glob("*/*/templates"))]
    return sorted(p for d in dirs if d.is_dir() for p in d.rglob("*.html"))


def scan(paths: list[Path] | None = None) -> Inline:
    out = Inline()
    for path in paths if paths is not None else templates():
        text = path.read_text(encoding="utf-8")
        name = str(path.relative_to(PACKAGE_DIR)) if path.is_relative_to(PACKAGE_DIR) else str(path)
        for m in SCRIPT.finditer(text):
            attrs, body = m.group("attrs"), m.group("body")
            if re.search(r"\ssrc\s*=", attrs) or "csp_nonce" in attrs or not body.strip():
                continue
            if re.search(r"type\s*=\s*[\"']application/(ld\+)?json", attrs):  # data, not run
                continue
            if TAG.search(body):
                out.problems.append(f"{name}: inline <script> with template tags needs nonce=\"{{{{ request.csp_nonce }}}}\"")
            else:
                out.scripts.add(sha256(body))
        for m in HANDLER.finditer(text):
            handler = m.group("dq") if m.group("dq") is not None else m.group("sq")
            if TAG.search(handler):
                out.problems.append(f"{name}: inline handler with template tags: {handler[:60]}")
            else:
                out.handlers.add(sha256(handler))
        if HTMX_EVAL.search(text):
            out.problems.append(f"{name}: htmx hx-on / trigger filter / js: values need eval")
    return out
