"""Organisation services: load a county's divisions and units from a data file."""

import json
from pathlib import Path

from django.db import transaction

from .models import Department, Division, UnitGroup

DATA_DIR = Path(__file__).parent / "data"


@transaction.atomic
def load_org_data(data: dict) -> dict[str, int]:
    """Create or update divisions, departments and unit groups; never deletes.

    Existing rows keep the edits made in the UI for fields the file does not set;
    aliases from the file are added to those already there.
    """
    counts = {"divisions": 0, "departments": 0, "groups": 0}
    for d in data.get("divisions", []):
        parent = Division.objects.get(code=d["parent"]) if d.get("parent") else None
        obj, created = Division.objects.get_or_create(
            code=d["code"], defaults={"name": d["name"], "level": d["level"], "parent": parent,
                                      "latitude": d.get("latitude"), "longitude": d.get("longitude")})
        counts["divisions"] += created
    for d in data.get("departments", []):
        division = Division.objects.get(code=d["division"])
        obj, created = Department.objects.get_or_create(
            name=d["name"], defaults={"short_name": d.get("short_name", ""), "kind": d.get("kind", "county"),
                                      "division": division, "order": d.get("order", 100),
                                      "aliases": "\n".join(d.get("aliases", []))})
        if not created:
            missing = [a for a in d.get("aliases", []) if a not in obj.alias_list]
            if missing:
                obj.aliases = "\n".join([*obj.alias_list, *missing])
                obj.save()
        counts["departments"] += created
    for g in data.get("groups", []):
        obj, created = UnitGroup.objects.get_or_create(name=g["name"],
                                                       defaults={"aliases": "\n".join(g.get("aliases", []))})
        members = Department.objects.filter(kind__in=g.get("departments_kind", []))
        obj.departments.add(*members)
        counts["groups"] += created
    return counts


def load_org_file(path) -> dict[str, int]:
    return load_org_data(json.loads(Path(path).read_text(encoding="utf-8")))
