"""Sectors moved from plans to org: the migration keeps every row and its history."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [
    ("org", "0001_initial"),
    ("plans", "0001_initial"),
    ("enterprises", "0004_document_historicaldocument"),
    ("hazards", "0004_drop_version_history"),
]


def _leaves():
    executor = MigrationExecutor(connection)
    return executor, executor.loader.graph.leaf_nodes()


@pytest.mark.django_db(transaction=True)
def test_sector_rows_and_history_survive_the_move():
    executor, leaves = _leaves()
    try:
        executor.migrate(BEFORE)
        old = MigrationExecutor(connection).loader.project_state(BEFORE).apps
        Division = old.get_model("org", "Division")  # noqa: N806
        Department = old.get_model("org", "Department")  # noqa: N806
        Sector = old.get_model("plans", "Sector")  # noqa: N806
        SectorSupervisor = old.get_model("plans", "SectorSupervisor")  # noqa: N806
        HistoricalSector = old.get_model("plans", "HistoricalSector")  # noqa: N806
        Enterprise = old.get_model("enterprises", "Enterprise")  # noqa: N806
        county = Division.objects.create(code="639999", name="测试县", level=3)
        town = Division.objects.create(code="639999100", name="测试镇", level=4, parent=county)
        dept = Department.objects.create(name="测试县应急管理局", division=county)
        sector = Sector.objects.create(name="测试行业", high_risk=True)
        SectorSupervisor.objects.create(sector=sector, department=dept, role="lead")
        import datetime

        HistoricalSector.objects.create(id=sector.pk, name="测试行业", high_risk=False, history_type="+",
                                        history_date=datetime.datetime(2025, 1, 1, tzinfo=datetime.UTC),
                                        history_change_reason="建立")
        ent = Enterprise.objects.create(name="测试企业", credit_code="91630000MA000000X0", township=town)
        ent.sectors.add(sector)

        executor = MigrationExecutor(connection)
        executor.migrate(leaves)
        new = MigrationExecutor(connection).loader.project_state(leaves).apps
        moved = new.get_model("org", "Sector").objects.get(pk=sector.pk)
        assert (moved.name, moved.high_risk) == ("测试行业", True)
        sup = new.get_model("org", "SectorSupervisor").objects.get(sector_id=sector.pk)
        assert (sup.department_id, sup.role) == (dept.pk, "lead")
        hist = new.get_model("org", "HistoricalSector").objects.get(id=sector.pk)
        assert hist.history_change_reason == "建立" and hist.high_risk is False
        ent = new.get_model("enterprises", "Enterprise").objects.get(pk=ent.pk)
        assert list(ent.sectors.values_list("name", flat=True)) == ["测试行业"]
        assert "org_sector" in connection.introspection.table_names()
        assert "plans_sector" not in connection.introspection.table_names()
    finally:
        MigrationExecutor(connection).migrate(leaves)
