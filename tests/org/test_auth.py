"""Login, lockout and password change, in Chinese."""

import pytest
from django.test import Client


@pytest.fixture
def user(db):
    from tests.conftest import make_user

    return make_user("wang")


def test_login_page_is_chinese_and_pages_need_login(db):
    c = Client()
    resp = c.get("/plans/")
    assert resp.status_code == 302 and resp["Location"].startswith("/accounts/login/")
    page = c.get("/accounts/login/").content.decode()
    assert "登录" in page and "密码" in page and 'lang="zh-hans"' in page


def test_login_and_logout(user):
    c = Client()
    resp = c.post("/accounts/login/", {"username": "wang", "password": "Pass-word-2026"})
    assert resp.status_code == 302 and resp["Location"] == "/"
    assert c.get("/").status_code == 200
    c.post("/accounts/logout/")
    assert c.get("/").status_code == 302


def test_wrong_password_message_is_chinese(user):
    resp = Client().post("/accounts/login/", {"username": "wang", "password": "wrong"})
    assert resp.status_code == 200 and "请输入一个正确的" in resp.content.decode()


def test_account_locks_after_repeated_failures(user, settings):
    c = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        c.post("/accounts/login/", {"username": "wang", "password": "wrong"})
    resp = c.post("/accounts/login/", {"username": "wang", "password": "Pass-word-2026"})
    assert resp.status_code == 429
    assert "锁定" in resp.content.decode()
    # another account from the same address is not locked
    from tests.conftest import make_user

    make_user("li")
    assert c.post("/accounts/login/", {"username": "li", "password": "Pass-word-2026"}).status_code == 302


def test_password_change_applies_the_validators(user):
    c = Client()
    c.force_login(user)
    resp = c.post("/accounts/password/", {"old_password": "Pass-word-2026", "new_password1": "12345678",
                                          "new_password2": "12345678"})
    assert resp.status_code == 200
    text = resp.content.decode()
    assert "这个密码太常见了" in text or "全都是数字" in text
    resp = c.post("/accounts/password/", {"old_password": "Pass-word-2026", "new_password1": "Qinghai-Maqin-88",
                                          "new_password2": "Qinghai-Maqin-88"})
    assert resp.status_code == 302
    user.refresh_from_db()
    assert user.check_password("Qinghai-Maqin-88")
