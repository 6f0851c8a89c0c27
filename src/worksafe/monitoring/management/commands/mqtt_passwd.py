"""`worksafe mqtt-passwd [--dir DIR] [--tokens FILE] [--set CODE]`

Write the broker's password file, ACL file and their state (``DIR``/passwd, acl, passwd.state.json;
default ``/etc/mosquitto/worksafe``) from the active gateways (:mod:`worksafe.monitoring.broker`):
username = gateway code, password = its token, stored in Mosquitto's own hash format; each token is
checked against the gateway's stored hash. ``--tokens`` reads ``{code: token}`` (the demo's
var/demo-gateway-tokens.json); ``--set CODE`` reads one token from standard input (after a gateway
was created or its token rotated). Entries of gateways deactivated, deleted or rotated since are
dropped. The consumer account comes from WORKSAFE_MQTT_USERNAME / WORKSAFE_MQTT_PASSWORD. Then
reload Mosquitto (``systemctl reload mosquitto``, SIGHUP).
"""

from __future__ import annotations

import getpass
import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "生成 MQTT 服务器(Mosquitto)的口令文件和访问控制文件:网关只能发布本网关主题"

    def add_arguments(self, parser):
        parser.add_argument("--dir", default="/etc/mosquitto/worksafe", help="输出目录(默认 /etc/mosquitto/worksafe)")
        parser.add_argument("--tokens", help="网关令牌文件 {网关编号: 令牌}(JSON)")
        parser.add_argument("--set", dest="set_code", metavar="CODE", help="为一个网关设置口令:从标准输入读取其令牌")

    def handle(self, *args, dir, tokens=None, set_code=None, **options):
        from worksafe.monitoring import broker

        given: dict[str, str] = {}
        if tokens:
            try:
                given = json.loads(Path(tokens).read_text(encoding="utf-8"))
            except (OSError, ValueError) as e:
                raise CommandError(f"网关令牌文件 {tokens} 无法读取:{e}") from None
            if not isinstance(given, dict):
                raise CommandError(f"网关令牌文件 {tokens} 格式错误:应为 {{网关编号: 令牌}}。")
        if set_code:
            token = getpass.getpass(f"网关 {set_code} 的令牌:") if sys.stdin.isatty() else sys.stdin.readline()
            given[set_code] = token.strip()
        r = broker.write_auth(Path(dir), given)
        if set_code and set_code in r.refused:
            raise CommandError(f"令牌与网关 {set_code} 不符(或该网关不存在、已停用),未写入。")
        self.stdout.write(f"已写入 {dir}/passwd 和 {dir}/acl:网关账号 {len(r.gateways)} 个"
                          f"(本次设置 {len(r.added)} 个)" + (f",接入账号 {r.consumer}" if r.consumer else ",未配置接入账号"))
        if r.dropped:
            self.stdout.write(f"已删除(网关停用、删除或已更换令牌):{'、'.join(r.dropped)}")
        if r.refused:
            self.stdout.write(f"令牌不符或网关不存在,未写入:{'、'.join(r.refused)}")
        if r.missing:
            self.stdout.write(f"以下网关尚无口令(用 --set 编号 输入其令牌):{'、'.join(r.missing)}")
        self.stdout.write("请重新加载 MQTT 服务器使其生效:systemctl reload mosquitto")
