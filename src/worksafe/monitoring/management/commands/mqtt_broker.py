"""`worksafe mqtt-broker [--port P] [--auth-port Q] [--dir DIR] [--daemon] [--if-free]`

A local Mosquitto for CI and the demo with the project's configuration
(``deploy/mosquitto/worksafe.conf``: persistence, queue and in-flight limits), this machine's paths
(``--dir``, default var/mosquitto) and two loopback listeners: ``--port`` (default 1883) anonymous,
for the tests and the demo; ``--auth-port`` (optional) with the production rules — the password and
ACL files written from the gateways (and the demo's token file, if present) as `worksafe mqtt-passwd`
does. In production Mosquitto runs as the distribution's service with the project's file instead
(docs/deploy.md).
"""

from __future__ import annotations

import os
import shutil
import socket
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError


def answers(port: int, host: str = "127.0.0.1") -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def mosquitto_exe() -> str | None:
    return shutil.which("mosquitto") or next(
        (p for p in ("/usr/sbin/mosquitto", "/usr/local/sbin/mosquitto") if os.path.exists(p)), None)


class Command(BaseCommand):
    help = "以项目配置启动本机 MQTT 服务器(Mosquitto),供演示和持续集成使用"

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=1883, help="匿名监听端口(仅本机,默认 1883;0 为不开)")
        parser.add_argument("--auth-port", type=int, default=0, help="需口令并按访问控制文件授权的端口(默认不开)")
        parser.add_argument("--dir", help="配置、持久化和日志目录(默认 var/mosquitto)")
        parser.add_argument("--daemon", action="store_true", help="后台运行")
        parser.add_argument("--if-free", action="store_true", help="端口已有服务应答时什么也不做")

    def handle(self, *args, port=1883, auth_port=0, dir=None, daemon=False, if_free=False, **options):
        from worksafe.monitoring import broker
        from worksafe.monitoring.demo import TOKENS_FILE

        if if_free and port and answers(port):
            self.stdout.write(f"127.0.0.1:{port} 已有 MQTT 服务器应答,不再启动。")
            return
        exe = mosquitto_exe()
        if exe is None:
            raise CommandError("未安装 mosquitto(Debian/Ubuntu:apt-get install mosquitto)。")
        directory = Path(dir) if dir else Path(settings.VAR_DIR) / "mosquitto"
        directory.mkdir(parents=True, exist_ok=True)
        if auth_port:
            tokens_file = Path(settings.VAR_DIR) / TOKENS_FILE
            tokens = {}
            if tokens_file.exists():
                import json

                tokens = json.loads(tokens_file.read_text(encoding="utf-8"))
            try:
                broker.write_auth(directory, tokens)
            except DatabaseError as e:  # not migrated yet: no gateway accounts
                self.stdout.write(f"数据库尚未初始化({e}),口令文件只含接入账号")
                broker.write_auth(directory, {}, gateways=False)
        conf = directory / "mosquitto.conf"
        conf.write_text(broker.local_config(directory, port=port or None, auth_port=auth_port or None))
        where = ", ".join(f"127.0.0.1:{p}{'(需口令)' if p == auth_port else ''}" for p in (port, auth_port) if p)
        self.stdout.write(f"启动 Mosquitto:{where},配置 {conf},日志 {directory}/mosquitto.log")
        self.stdout.flush()
        argv = [exe, "-c", str(conf)] + (["-d"] if daemon else [])
        if daemon:
            import subprocess
            import time

            subprocess.run(argv, check=True)
            for _ in range(40):
                if answers(port or auth_port):
                    return
                time.sleep(0.25)
            raise CommandError(f"Mosquitto 未能启动,见 {directory}/mosquitto.log")
        os.execv(exe, argv)
