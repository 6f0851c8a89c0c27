"""The county office manages accounts and roles in the browser; roles end, never vanish."""

from worksafe.org.models import Department, Membership, User


def test_county_office_creates_a_user_and_gives_a_role(world, client_for):
    c = client_for(world.users["county"])
    resp = c.post("/org/users/new/", {"username": "zhang", "display_name": "张三", "password": "12345678"})
    assert resp.status_code == 200 and not User.objects.filter(username="zhang").exists()
    assert "全都是数字" in resp.content.decode() or "太常见" in resp.content.decode()
    resp = c.post("/org/users/new/", {"username": "zhang", "display_name": "张三", "password": "Maqin-Safe-77"})
    zhang = User.objects.get(username="zhang")
    assert resp["Location"] == f"/org/users/{zhang.pk}/"
    dept = Department.objects.get(name="县交通运输局")
    c.post(f"/org/users/{zhang.pk}/memberships/", {"role": "township", "department": dept.pk})
    assert not zhang.memberships.exists()  # a township officer must belong to a township unit
    c.post(f"/org/users/{zhang.pk}/memberships/", {"role": "department", "department": dept.pk})
    m = zhang.memberships.get()
    assert (m.role, m.department, m.active) == ("department", dept, True)
    c.post(f"/org/memberships/{m.pk}/end/")
    m.refresh_from_db()
    assert m.active is False and Membership.objects.filter(pk=m.pk).exists()
    assert m.history.first().history_user == world.users["county"]


def test_others_cannot_manage_people(world, client_for):
    for role in ("leader", "dept", "township"):
        c = client_for(world.users[role])
        assert c.get("/org/users/new/").status_code == 403
    m = Membership.objects.get(user=world.users["inspector"])
    client_for(world.users["dept"]).post(f"/org/memberships/{m.pk}/end/")
    m.refresh_from_db()
    assert m.active


def test_user_renews_own_api_token(world, client_for):
    from rest_framework.authtoken.models import Token

    c = client_for(world.users["dept"])
    c.post("/org/token/")
    first = Token.objects.get(user=world.users["dept"]).key
    assert first in c.get(f"/org/users/{world.users['dept'].pk}/").content.decode()
    c.post("/org/token/")
    assert Token.objects.get(user=world.users["dept"]).key != first
    # nobody else's page shows a token
    assert first not in c.get(f"/org/users/{world.users['county'].pk}/").content.decode()
