"""The production deployment (deploy/, docs/deploy.md): Django's deploy checks pass with the
production settings, the Content-Security-Policy allows every inline script and handler the
templates have (and nothing else inline), the nginx site and systemd units are valid, gunicorn's
settings load."""

import os
import re
import runpy
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from worksafe.core import csp

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"


def production_env(tmp_path, **extra) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WORKSAFE_", "DJANGO_", "PYTEST_"))}
    env.update(WORKSAFE_ENV="production", WORKSAFE_VAR=str(tmp_path / "var"), WORKSAFE_ALLOWED_HOSTS="worksafe.example.gov.cn",
               WORKSAFE_SECRET_KEY="x" * 10 + os.urandom(32).hex(), DJANGO_SETTINGS_MODULE="worksafe.settings",
               PYTHONPATH=os.pathsep.join(p for p in sys.path if p))
    env.update(extra)
    return env


def test_deploy_checks_pass_with_production_settings(tmp_path):
    run = subprocess.run([sys.executable, "-m", "django", "check", "--deploy", "--fail-level", "WARNING"],
                         env=production_env(tmp_path), capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "System check identified no issues" in run.stdout


def test_production_settings(tmp_path):
    code = ("from django.conf import settings as s; import json; print(json.dumps([s.SECURE_SSL_REDIRECT, "
            "s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS, list(s.SECURE_PROXY_SSL_HEADER or []), "
            "s.DEBUG, s.WORKSAFE_TRUSTED_PROXY]))")
    run = subprocess.run([sys.executable, "-c", "import django; django.setup(); " + code],
                         env=production_env(tmp_path), capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == '[true, true, true, 31536000, ["HTTP_X_FORWARDED_PROTO", "https"], false, true]'
    # debug on: not production, whatever WORKSAFE_ENV says
    run = subprocess.run([sys.executable, "-c", "import django; django.setup(); " + code],
                         env=production_env(tmp_path, WORKSAFE_DEBUG="1"), capture_output=True, text=True, timeout=60)
    assert run.stdout.strip().startswith("[false, false, false, 0")


def test_templates_have_no_inline_code_the_policy_blocks():
    found = csp.scan()
    assert found.problems == []
    assert found.scripts and found.handlers  # the board, the chart…; confirm() on delete buttons


def test_every_page_has_the_policy(client, world):
    from django.conf import settings

    client.force_login(world.users["county"])
    for url in ("/", "/monitoring/", "/risks/map/", "/api/docs/"):
        r = client.get(url)
        assert r.status_code == 200, url
        policy = r.headers["Content-Security-Policy"]
        script_src = re.search(r"script-src ([^;]*)", policy).group(1)
        assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src
        assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy
    assert settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]["default-src"] == ["'self'"]


def test_inline_scripts_on_pages_are_allowed(client, world):
    """Every inline <script> a page renders has a nonce or a hash the policy lists."""
    client.force_login(world.users["county"])
    for url in ("/monitoring/", f"/monitoring/sensors/{world.sensors[0].pk}/", "/api/redoc/"):
        r = client.get(url)
        assert r.status_code == 200, url
        policy = r.headers["Content-Security-Policy"]
        for m in csp.SCRIPT.finditer(r.content.decode()):
            if re.search(r"\ssrc\s*=", m.group("attrs")) or not m.group("body").strip():
                continue
            nonce = re.search(r'nonce="([^"]+)"', m.group("attrs"))
            assert (nonce and f"'nonce-{nonce.group(1)}'" in policy) or csp.sha256(m.group("body")) in policy, url


def test_gunicorn_settings_load():
    conf = runpy.run_path(str(DEPLOY / "gunicorn.conf.py"))
    assert conf["wsgi_app"] == "worksafe.wsgi:application"
    assert conf["bind"] == ["unix:/run/worksafe/gunicorn.sock"] and conf["workers"] >= 1


@pytest.mark.skipif(not shutil.which("nginx") or not shutil.which("openssl"), reason="未安装 nginx / openssl")
def test_nginx_site_is_valid(tmp_path):
    key, cert = tmp_path / "privkey.pem", tmp_path / "fullchain.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=worksafe.test",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)
    site = (DEPLOY / "nginx" / "worksafe.conf").read_text()
    assert "location /media/ {\n        return 404;" in site  # uploads only through the app's views
    assert "client_max_body_size" in site and "Strict-Transport-Security" in site
    site = site.replace("/etc/ssl/worksafe/", f"{tmp_path}/").replace("listen 80;", "listen 127.0.0.1:18839;")
    site = re.sub(r"listen \[::\]:\d+[^;]*;", "", site).replace("listen 443 ssl http2;", "listen 127.0.0.1:18838 ssl http2;")
    (tmp_path / "site.conf").write_text(site)
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\nevents {{}}\n"
        f"http {{ access_log off; client_body_temp_path {tmp_path}; include {tmp_path}/site.conf; }}\n")
    run = subprocess.run(["nginx", "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")],
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stderr


@pytest.mark.skipif(not shutil.which("systemd-analyze"), reason="未安装 systemd-analyze")
def test_systemd_units_are_valid(tmp_path):
    units = sorted((DEPLOY / "systemd").iterdir())
    names = {u.name for u in units}
    assert {"worksafe-web.service", "worksafe-tick.service", "worksafe-tick.timer", "worksafe-mqtt@.service",
            "worksafe-prune.service", "worksafe-prune.timer"} <= names
    venv = Path(sys.executable).parent.parent
    for u in units:
        text = u.read_text().replace("/opt/worksafe/.venv", str(venv)).replace("/opt/worksafe", str(ROOT))
        text = re.sub(r"^(User|Group)=.*$", "", text, flags=re.M)  # the worksafe user does not exist here
        (tmp_path / u.name.replace("@.service", "@1.service")).write_text(text)
    if (tmp_path / "worksafe-mqtt@1.service").exists():
        shutil.copy(tmp_path / "worksafe-mqtt@1.service", tmp_path / "worksafe-mqtt@2.service")
    files = [str(p) for p in sorted(tmp_path.iterdir())]
    run = subprocess.run(["systemd-analyze", "verify", *files], capture_output=True, text=True,
                         env={**os.environ, "SYSTEMD_LOG_LEVEL": "warning"})
    problems = [line for line in (run.stdout + run.stderr).splitlines()
                if str(tmp_path) in line or "worksafe" in line]
    assert not problems, "\n".join(problems)
    timer = (DEPLOY / "systemd" / "worksafe-tick.timer").read_text()
    assert "OnCalendar=*-*-* *:*:00" in timer
