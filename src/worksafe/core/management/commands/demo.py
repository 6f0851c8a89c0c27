"""`worksafe demo`: migrate and load the 玛沁县 demo — organisation, the seed plan
imported through the importer, one demo user per role, some enterprises and
progress. Running it again keeps existing data (every step checks first)."""

import random
from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction

from worksafe.core.scoping import Role
from worksafe.enterprises import demo as register_demo
from worksafe.enterprises.models import Enterprise
from worksafe.hazards import demo as hazard_demo
from worksafe.hazards.selfcheck import seed_checklists
from worksafe.monitoring import demo as monitoring_demo
from worksafe.org.models import Department, Division, Membership, User
from worksafe.org.services import DATA_DIR, load_org_file
from worksafe.plans import services as plan_services
from worksafe.plans.models import Plan, Target, Task
from worksafe.risks.services import load_veto_rules
from worksafe.standards import plan_text

SEED = Path(__file__).resolve().parents[3] / "plans" / "data" / "maqin_2020.txt"
DEMO_PASSWORD = "Worksafe-2026"

# username, display name, role, unit (department name) or enterprise credit code
DEMO_USERS = [
    ("county", "县安委办·王明", Role.COUNTY_OFFICE, "县应急管理局"),
    ("leader", "县领导·李华", Role.LEADER, "县应急管理局"),
    ("dept", "应急局·赵强", Role.DEPARTMENT, "县应急管理局"),
    ("transport", "交通局·孙丽", Role.DEPARTMENT, "县交通运输局"),
    ("township", "大武镇·周平", Role.TOWNSHIP, "大武镇人民政府"),
    ("inspector", "执法大队·吴刚", Role.INSPECTOR, "县应急管理局"),
    ("enterprise", "企业安全员·郑洁", Role.ENTERPRISE, None),
]

class Command(BaseCommand):
    help = "加载演示数据(可重复运行,保留已有数据)"

    def handle(self, *args, **options):
        call_command("migrate", interactive=False, verbosity=0)
        counts = load_org_file(DATA_DIR / "maqin.json")
        self.stdout.write(f"组织机构:新增区划{counts['divisions']}个,单位{counts['departments']}个")
        county = Division.objects.get(code="632621")
        load_veto_rules()
        plan = self._plan(county)
        with transaction.atomic():
            self._users(None)  # the county user must exist before the register is generated
            counts = register_demo.generate(county, n=150, seed=2020, user=User.objects.get(username="county"))
            self.stdout.write("演示企业:新增{enterprises}家,设施{facilities}个,风险点{risk_points}个,"
                              "重大危险源单元{sources}个,人员密集场所{places}处".format(**counts))
            self._users(Enterprise.objects.get(name="玛沁县雪莲加油站"))
            self._inspectors()
        self._progress(plan)
        with transaction.atomic():
            seed_checklists()
            n = hazard_demo.generate()
            if n:
                self.stdout.write(f"演示隐患:{n}条")
        counts = monitoring_demo.generate(User.objects.get(username="county"))
        self.stdout.write("在线监测:新增网关{gateways}个,监测点{sensors}个,读数{readings}条,预警{alarms}条".format(**counts))
        self._print_logins()

    def _plan(self, county):
        text = plan_text.read_document(SEED)
        parsed = plan_text.parse_plan(text)
        existing = Plan.objects.filter(title=parsed.title, county=county).first()
        if existing:
            self.stdout.write(f"方案已存在:《{existing.title}》")
            return existing
        plan = plan_services.import_plan(parsed, county=county, source_name=SEED.name, source_text=text)
        self.stdout.write(f"已导入方案《{plan.title}》:{plan.phases.count()}个阶段,{plan.areas.count()}个专项,"
                          f"{Task.objects.filter(area__plan=plan).count()}项任务,"
                          f"{Target.objects.filter(task__area__plan=plan).count()}个量化目标")
        return plan

    def _users(self, enterprise):
        for username, display, role, unit in DEMO_USERS:
            if role == Role.ENTERPRISE and enterprise is None:
                continue
            user, created = User.objects.get_or_create(username=username, defaults={"display_name": display})
            if created:
                user.set_password(DEMO_PASSWORD)
                user.save()
            dept = Department.objects.get(name=unit) if unit else None
            Membership.objects.get_or_create(
                user=user, role=role, department=dept, enterprise=enterprise if role == Role.ENTERPRISE else None,
                defaults={"qualified": role == Role.INSPECTOR},
            )

    def _inspectors(self):
        """The enforcement team (no logins): 10 officers, 7 with a safety qualification."""
        dept = Department.objects.get(name="县应急管理局")
        for i in range(1, 10):
            user, created = User.objects.get_or_create(username=f"zf{i:02d}",
                                                       defaults={"display_name": f"执法队员{i:02d}"})
            if created:
                user.set_unusable_password()
                user.save()
                Membership.objects.create(user=user, role=Role.INSPECTOR, department=dept, qualified=i <= 6)

    def _progress(self, plan):
        """Progress as the units might have reported it: most tasks done, some late."""
        if plan.areas.filter(tasks__reports__isnull=False).exists():
            return
        rng = random.Random(2020)
        county_user = User.objects.get(username="county")
        for task in Task.objects.filter(area__plan=plan).select_related("area"):
            lead = task.area.area_units.filter(role="lead").select_related("department").first()
            reporter = self._reporter(lead.department)
            roll = rng.random()
            if roll < 0.65:
                plan_services.file_progress(task, reporter, status=Task.Status.IN_PROGRESS, percent=50,
                                            text="已制定实施方案,正在推进。", unit=lead.department)
                plan_services.file_progress(task, reporter, status=Task.Status.DONE, percent=100,
                                            text="任务已按期完成,相关材料已归档。", unit=lead.department)
            elif roll < 0.9:
                plan_services.file_progress(task, reporter, status=Task.Status.IN_PROGRESS,
                                            percent=rng.choice([30, 60, 80]),
                                            text="部分工作已完成,剩余工作正在推进。", unit=lead.department)
        late = list(Task.objects.filter(area__plan=plan).late()[:2])
        import datetime

        from django.utils import timezone
        for task in late:
            plan_services.press_task(task, county_user, note="该任务已逾期,请牵头单位说明原因并加快推进。",
                                     respond_by=timezone.localdate() + datetime.timedelta(days=7))
        for target in Target.objects.filter(task__area__plan=plan, metric=""):
            plan_services.record_target_value(target, county_user, value="85", note="供电公司报送(演示数据)")

    def _reporter(self, dept):
        """A user who acts for ``dept`` (the demo user, or a staff account made for it)."""
        m = Membership.objects.filter(department=dept, role=Role.DEPARTMENT, active=True).first()
        if m:
            return m.user
        user, created = User.objects.get_or_create(username=f"staff{dept.pk}", defaults={"display_name": f"{dept.short_name or dept.name}工作人员"})
        if created:
            user.set_unusable_password()
            user.save()
        Membership.objects.get_or_create(user=user, role=Role.DEPARTMENT, department=dept)
        return user

    def _print_logins(self):
        self.stdout.write(f"\n演示账号(密码均为 {DEMO_PASSWORD}):")
        for username, display, role, _unit in DEMO_USERS:
            self.stdout.write(f"  {username:<11} {Role.LABELS[role]:<12} {display}")
        self.stdout.write("打开 http://127.0.0.1:8000/ 登录。")
