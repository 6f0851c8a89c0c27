"""An accident recorded in the accidents app proposes what the credit rules say (credit/hooks.py:
the accident_recorded signal → services.propose_from_accident), once per accident."""

import datetime

from django.utils import timezone

from worksafe.accidents import services as acc
from worksafe.credit.models import Accountability, Listing


def _record(world, capture, **figures):
    ent = world.enterprises[0]
    with capture(execute=True):
        return acc.record_accident(world.users["county"], enterprise=ent, place="QPLACE罐区", kind="hazardous_chemicals",
                                   description="QDESC中毒", occurred_at=timezone.now() - datetime.timedelta(hours=3),
                                   unit_reported_at=timezone.now() - datetime.timedelta(hours=2), **figures)


def test_a_larger_accident_proposes_a_listing_and_an_accountability_action_once(
        world, django_capture_on_commit_callbacks):
    before = Listing.objects.count(), Accountability.objects.count()
    a = _record(world, django_capture_on_commit_callbacks, deaths=3)
    assert a.grade == "larger"
    listings = Listing.objects.filter(source_key__contains=f"accident:{a.pk}")
    assert listings.exists() and all(lst.state == "proposed" for lst in listings)
    assert {lst.enterprise_id for lst in listings} == {a.enterprise_id}
    assert Accountability.objects.count() > before[1]
    n = Listing.objects.count(), Accountability.objects.count()
    from worksafe.accidents.models import Accident
    from worksafe.accidents.signals import accident_recorded

    accident_recorded.send(sender=Accident, accident=a, created=False)  # the same accident again
    assert (Listing.objects.count(), Accountability.objects.count()) == n


def test_a_general_accident_proposes_no_listing(world, django_capture_on_commit_callbacks):
    a = _record(world, django_capture_on_commit_callbacks, deaths=1)
    assert a.grade == "general"
    assert not Listing.objects.filter(source_key__contains=f"accident:{a.pk}").exists()
