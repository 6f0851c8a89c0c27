"""Plan progress at scale for ``worksafe bench pages`` (``core.registry.SCALE_FILLERS``): the tasks and
their latest reports come from the imported demo plan; this adds the monthly reports a unit files
over the plan's years — every unit of every area (lead and responsible) once a month for the 24 months
before the task's first report, "in progress" with a rising percent, so each task's latest report and
stored status stay those of the demo. The count does not grow with the enterprises (a plan has the
tasks it has).
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from worksafe.core.bench import bulk_insert
from worksafe.core.registry import scale_filler

MONTHS = 24


@scale_filler("plans", order=50)
def fill(world: dict, size) -> None:
    from django.db.models import Min

    from .models import AreaUnit, ProgressReport, Task

    author = world["county_user"]
    now = timezone.now()
    first = dict(ProgressReport.objects.values("task").annotate(first=Min("created_at")).values_list("task", "first"))
    units: dict[int, list[int]] = {}
    for area_id, dept_id in AreaUnit.objects.values_list("area_id", "department_id"):
        units.setdefault(area_id, []).append(dept_id)
    rows = []
    for task_id, area_id in Task.objects.values_list("pk", "area_id"):
        before = first.get(task_id, now)
        for dept_id in units.get(area_id, []):
            for m in range(MONTHS, 0, -1):
                at = (before - datetime.timedelta(days=30 * m)).replace(hour=10, minute=0, second=0, microsecond=0)
                rows.append(ProgressReport(task_id=task_id, unit_id=dept_id, author=author,
                                           status=Task.Status.IN_PROGRESS, percent=max(1, 40 - m),
                                           text=f"第{MONTHS - m + 1}次月度进展:按计划推进。", created_at=at))
    bulk_insert(ProgressReport, rows)  # created_at as given (auto_now_add is the service's)
    world.setdefault("counts", {})["plans"] = {"progress reports": len(rows)}
