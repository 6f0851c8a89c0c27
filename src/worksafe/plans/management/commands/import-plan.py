"""`worksafe import-plan FILE (.txt/.docx/.xlsx/.pdf) [--dry-run] [--format json|text] [--county CODE] [--map NAME=UNIT] [--create-unknown]`

With --dry-run --format json it prints what the parser read, and nothing else,
as one JSON object (the shape of ParsedPlan.to_dict()). Without --dry-run it
imports in one transaction, or refuses (exit 2) listing the units it cannot map.
"""

import json
import sys

from django.core.management.base import BaseCommand, CommandError

from worksafe.core.services import ServiceError
from worksafe.org.models import Department, Division
from worksafe.plans import services
from worksafe.standards import plan_tables


class Command(BaseCommand):
    help = "导入三年行动方案文件(.txt/.docx/.xlsx/.pdf)"

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--dry-run", action="store_true", help="只解析,不写入")
        parser.add_argument("--format", choices=["json", "text"], default="text")
        parser.add_argument("--county", help="县的区划代码(默认:系统中唯一的县)")
        parser.add_argument("--map", action="append", default=[], metavar="原文单位=系统单位",
                            help="把原文中的单位对应到系统中的单位(名称或id),可重复")
        parser.add_argument("--create-unknown", action="store_true", help="为找不到的单位新建单位")

    def handle(self, *args, file, dry_run, format, county, map, create_unknown, **options):
        try:
            read = plan_tables.read_plan(file)
        except (OSError, ValueError) as e:
            raise CommandError(f"无法读取文件:{e}") from e
        text, parsed = read.text, read.parsed
        if dry_run:
            if format == "json":
                sys.stdout.write(json.dumps(parsed.to_dict(), ensure_ascii=False) + "\n")
            else:
                self._summary(parsed)
            return
        division = self._county(county)
        warning = services.county_warning(text, division)
        if warning:
            self.stderr.write("注意:" + warning)
        mapping = {}
        for m in map:
            if "=" not in m:
                raise CommandError(f"--map 的格式应为 原文单位=系统单位:{m}")
            written, target = m.split("=", 1)
            dept = Department.objects.filter(pk=int(target)).first() if target.isdigit() else \
                Department.objects.filter(name=target).first()
            if dept is None:
                raise CommandError(f"系统中没有单位“{target}”")
            mapping[written] = dept.pk
        if create_unknown:
            for name in services.resolve_units(services.plan_unit_names(parsed), division).unknown:
                mapping.setdefault(name, "create")
        try:
            plan = services.import_plan(parsed, county=division, source_name=str(file).rsplit("/", 1)[-1],
                                        source_text=text, mapping=mapping)
        except services.UnknownUnits as e:
            self.stderr.write("以下单位无法匹配,未导入任何内容(可用 --map 或 --create-unknown):")
            for n in e.unknown:
                self.stderr.write(f"  {n}")
            sys.exit(2)
        except ServiceError as e:
            raise CommandError(e.message) from e
        for v in parsed.vague_units:
            self.stderr.write(f"注意:“{v['area']}”的“{v['text']}”未指明具体单位,已按原文保留,请在专项中明确。")
        self.stdout.write(f"已导入《{plan.title}》(id={plan.pk}):{plan.phases.count()}个阶段,"
                          f"{plan.areas.count()}个专项。")

    def _county(self, code):
        qs = Division.objects.filter(level=Division.Level.COUNTY)
        if code:
            qs = qs.filter(code=code)
        found = list(qs[:2])
        if len(found) != 1:
            raise CommandError("请用 --county 指定县的区划代码" if found else "系统中没有该县,请先加载组织机构数据")
        return found[0]

    def _summary(self, parsed):
        self.stdout.write(parsed.title)
        for p in parsed.phases:
            self.stdout.write(f"  阶段 {p.name} {p.start}—{p.end}")
        for a in parsed.areas:
            self.stdout.write(f"  ({a.number}){a.title} 牵头:{'、'.join(a.lead_units)} "
                              f"责任:{'、'.join(a.responsible_units)} 任务{len(a.items)}项")
            for i in a.items:
                for t in i.targets:
                    self.stdout.write(f"      目标 {t.text} ({t.comparator} {t.value}{t.unit})")
        if parsed.unplaced:
            self.stdout.write(f"  未归入结构的段落:{len(parsed.unplaced)}")
