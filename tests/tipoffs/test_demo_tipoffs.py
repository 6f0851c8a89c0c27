"""The demo's tip-offs: every state across the channels, a merged duplicate, a verified case that
became a major hazard with a fine and a paid reward, an answered question on its receipt page."""

from django.core.management import call_command


def test_demo_holds_tip_offs_in_every_state(db, settings, tmp_path):
    from worksafe.tipoffs.models import Reward, TipOff, TipOffMessage

    call_command("demo")
    assert set(TipOff.objects.values_list("state", flat=True)) == set(TipOff.State.values)
    assert set(TipOff.objects.values_list("channel", flat=True)) == set(TipOff.Channel.values)
    merged = TipOff.objects.get(state="merged")
    show = merged.merged_into
    assert show.hazard.is_major and show.inspection.actions.filter(kind="fine", state="decided").exists()
    reward = Reward.objects.get(tipoff=show)
    assert reward.state == "paid" and reward.amount == 7500 and reward.reference
    assert show.messages.filter(kind=TipOffMessage.Kind.ANSWER).exists()
    # the receipt written for the demo opens that case, with the answer and the payout
    line = (settings.VAR_DIR / "demo-tipoff-receipts.txt").read_text(encoding="utf-8")
    receipt = line.split("  ")[0].split(" ", 1)[1]
    from django.test import Client

    page = Client().post("/tipoffs/public/track/", {"receipt": receipt}).content.decode()
    assert show.number in page and reward.reference in page and "外包施工队" in page
    n = TipOff.objects.count()
    call_command("demo")
    assert TipOff.objects.count() == n
