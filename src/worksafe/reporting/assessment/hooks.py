"""Hooks of the assessment sub-domain (registered from reporting/hooks.py): the demo's schemes."""

from worksafe.core.registry import demo_loader


@demo_loader("reporting_assessment", order=97)
def _demo_assessment(out):
    from . import demo

    n = demo.generate()
    if n:
        out(f"演示考核方案:上一年度考核(已发布,含排名)和本年度考核(编制中),共{n}个")
