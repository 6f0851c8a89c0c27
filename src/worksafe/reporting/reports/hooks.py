"""Hooks of the reports sub-domain (registered from reporting/hooks.py): the demo's 2025 report."""

from worksafe.core.registry import demo_loader


@demo_loader("reporting_reports", order=98)
def _demo_report(out):
    from . import demo

    if demo.generate():
        out("演示县级报告:上一年度工作情况报告(已定稿)")
