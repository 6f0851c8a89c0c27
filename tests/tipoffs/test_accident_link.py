"""A concealed accident and the tip-off that revealed it link each other (accidents records the
tip-off's number; the tip-offs app shows it on the accident's page to whoever may see the tip-off)."""

from worksafe.accidents.models import Accident
from worksafe.tipoffs.models import TipOff


def test_the_accident_page_shows_the_tip_off_that_revealed_it(world, client_for):
    acc = Accident.objects.get(description__startswith="QACC02")
    tip = TipOff.objects.get(description__startswith="QTIP02")
    url = acc.get_absolute_url()
    assert "来源举报" not in client_for(world.users["county"]).get(url).content.decode()
    acc.tipoff_id = tip.pk
    acc.save(update_fields=["tipoff_id"])
    for role in ("county", "transport"):
        page = client_for(world.users[role]).get(url).content.decode()
        assert "来源举报" in page and tip.get_absolute_url() in page, role
    # a viewer who may see the accident but not the tip-off gets no section
    other = TipOff.objects.get(description__startswith="QTIP01")
    acc.tipoff_id = other.pk
    acc.save(update_fields=["tipoff_id"])
    page = client_for(world.users["transport"]).get(url).content.decode()
    assert "来源举报" not in page and other.get_absolute_url() not in page
