"""The Mosquitto side of MQTT ingestion: password and ACL files, and local brokers for CI and the demo.

Credentials (``worksafe mqtt-passwd``): a gateway logs in with username = its code and password =
its token — the one secret it already holds. Only the token's SHA-256 is stored in the database, so
the broker's password entry (Mosquitto's own ``$7$`` PBKDF2-SHA512 format) is made from the token
when it is known: from a ``{code: token}`` file (the demo's), or typed in when a gateway is created
or its token rotated (``--set CODE``). Each token is checked against the stored SHA-256 first. A state
file next to the password file remembers which token hash each entry was made from: an entry whose
gateway was deactivated, deleted, or given a new token is dropped on the next run, so the old
token stops working at the broker too. The consumer account (``WORKSAFE_MQTT_USERNAME`` /
``WORKSAFE_MQTT_PASSWORD``) is written from the settings.

Kept in step automatically: with ``WORKSAFE_MQTT_AUTH_DIR`` set (the directory the broker reads its
``passwd`` and ``acl`` from), registering a gateway or rotating its token rewrites both files once
the change is committed (:func:`sync_after_commit`) — the new token is known at that moment, so no
one has to type it into ``--set``. With ``WORKSAFE_MQTT_BROKER_PIDFILE`` set too, the broker is sent
SIGHUP to reload them (a broker run by the same user: the demo's); in production a systemd path unit
reloads Mosquitto when the files change (``deploy/systemd/worksafe-mqtt-auth.path``).

ACL: each gateway may write ``<prefix>/readings/<code>`` and read ``<prefix>/acks/<code>``, nothing
else; the consumer account reads ``<prefix>/readings/#`` and writes ``<prefix>/acks/#``.

Local brokers (:func:`local_config`): the project's production config
(``deploy/mosquitto/worksafe.conf``) with its limits and persistence, and with this machine's paths:
an optional anonymous listener on the loopback (for the tests and the demo, which use arbitrary
topics) and an authenticated listener that applies the password and ACL files.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import os
import re
import secrets
import signal
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

#: Mosquitto 2.0's password hash: PBKDF2-HMAC-SHA512, 101 iterations, 12-byte salt, 64-byte hash
MOSQUITTO_ITERATIONS = 101
CONFIG = "deploy/mosquitto/worksafe.conf"

#: a gateway code usable as an MQTT username and a topic level
CODE_OK = re.compile(r"^[^\s/+#:]+$")


def mosquitto_hash(password: str, *, salt: bytes | None = None, iterations: int = MOSQUITTO_ITERATIONS) -> str:
    """A password file hash in ``mosquitto_passwd``'s format: ``$7$<iterations>$<salt>$<hash>``."""
    salt = salt if salt is not None else secrets.token_bytes(12)
    digest = hashlib.pbkdf2_hmac("sha512", password.encode(), salt, iterations, 64)
    return f"$7${iterations}${base64.b64encode(salt).decode()}${base64.b64encode(digest).decode()}"


def mosquitto_verify(password: str, hashed: str) -> bool:
    try:
        _, seven, iterations, salt, digest = hashed.split("$")
        assert seven == "7"
        want = mosquitto_hash(password, salt=base64.b64decode(salt), iterations=int(iterations))
    except (ValueError, AssertionError):
        return False
    return hmac.compare_digest(want, hashed)


def read_passwd(path: Path) -> dict[str, str]:
    """``{username: hash}`` of a Mosquitto password file (missing file: empty)."""
    out = {}
    if path.exists():
        for line in path.read_text().splitlines():
            if line.strip() and not line.startswith("#") and ":" in line:
                user, _, hashed = line.partition(":")
                out[user] = hashed.strip()
    return out


def _write(path: Path, text: str, mode: int = 0o640) -> None:
    """Write atomically (Mosquitto may read the file at any moment), readable by owner and group."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, "w") as f:
        f.write(text)
    os.chmod(tmp, mode)
    os.replace(tmp, path)


@dataclass
class PasswdResult:
    gateways: list[str]       # gateway accounts written
    added: list[str]          # of which made (or re-made) from a token given now
    dropped: list[str]        # entries removed: gateway gone, inactive, or token rotated
    missing: list[str]        # active gateways without an entry (their token was not given)
    refused: list[str]        # tokens given that do not match the gateway's stored hash
    consumer: str             # the consumer account written ("" when none is configured)


def acl_text(codes: list[str], consumer: str, topic_prefix: str) -> str:
    lines = ["# written by `worksafe mqtt-passwd`: do not edit (it is rewritten)", ""]
    if consumer:
        lines += [f"user {consumer}", f"topic read {topic_prefix}/readings/#", f"topic write {topic_prefix}/acks/#", ""]
    for code in codes:
        lines += [f"user {code}", f"topic write {topic_prefix}/readings/{code}",
                  f"topic read {topic_prefix}/acks/{code}", ""]
    return "\n".join(lines)


def write_auth(directory: Path, tokens: dict[str, str] | None = None, *, consumer: str | None = None,
               consumer_password: str | None = None, topic_prefix: str | None = None,
               gateways: bool = True) -> PasswdResult:
    """Write ``passwd``, ``acl`` and ``passwd.state.json`` in ``directory`` from the active gateways,
    the given ``{code: token}`` and the consumer account (default: the MQTT settings)."""
    from .models import Gateway
    from .services import hash_token

    directory = Path(directory)
    topic_prefix = (topic_prefix or settings.WORKSAFE_MQTT_TOPIC_PREFIX).strip("/")
    consumer = settings.WORKSAFE_MQTT_USERNAME if consumer is None else consumer
    consumer_password = settings.WORKSAFE_MQTT_PASSWORD if consumer_password is None else consumer_password
    passwd_path, state_path = directory / "passwd", directory / "passwd.state.json"
    old = read_passwd(passwd_path)
    state = json.loads(state_path.read_text()) if state_path.exists() else {}
    tokens = tokens or {}
    rows = Gateway.objects.filter(active=True).order_by("code") if gateways else []
    active = {g.code: g.token_hash for g in rows if CODE_OK.match(g.code) and g.code != consumer}
    entries, new_state = {}, {}
    added, refused = [], []
    for code, token_hash in active.items():
        token = tokens.get(code)
        if token is not None:
            if hmac.compare_digest(hash_token(str(token).strip()), token_hash):
                entries[code], new_state[code] = mosquitto_hash(str(token).strip()), token_hash
                added.append(code)
                continue
            refused.append(code)
        if code in old and state.get(code) == token_hash:  # made from the current token: keep
            entries[code], new_state[code] = old[code], token_hash
    refused += sorted(set(tokens) - set(active))
    dropped = sorted(u for u in old if u not in entries and u != consumer)
    lines = []
    if consumer and consumer_password:
        keep = old.get(consumer)
        lines.append(f"{consumer}:{keep if keep and mosquitto_verify(consumer_password, keep) else mosquitto_hash(consumer_password)}")
    else:
        consumer = ""
    lines += [f"{code}:{hashed}" for code, hashed in entries.items()]
    _write(passwd_path, "\n".join(lines) + "\n")
    _write(state_path, json.dumps(new_state, indent=1, sort_keys=True) + "\n", 0o600)
    _write(directory / "acl", acl_text(list(entries), consumer, topic_prefix))
    return PasswdResult(list(entries), added, dropped, sorted(set(active) - set(entries)), sorted(refused), consumer)


logger = logging.getLogger(__name__)


def sync_after_commit(tokens: dict[str, str] | None = None) -> None:
    """Rewrite the broker's password and ACL files once the current transaction commits (a no-op
    without ``WORKSAFE_MQTT_AUTH_DIR``). A failure to write them is logged and never undoes the
    gateway change: ``worksafe mqtt-passwd`` can always rebuild the files."""
    directory = getattr(settings, "WORKSAFE_MQTT_AUTH_DIR", "")
    if not directory:
        return
    from django.db import transaction

    tokens = dict(tokens or {})
    transaction.on_commit(lambda: _sync(Path(directory), tokens))


def _sync(directory: Path, tokens: dict[str, str]) -> PasswdResult | None:
    try:
        result = write_auth(directory, tokens)
    except OSError as e:
        logger.error("MQTT password file not updated in %s: %s (run `worksafe mqtt-passwd`)", directory, e)
        return None
    pidfile = getattr(settings, "WORKSAFE_MQTT_BROKER_PIDFILE", "")
    if pidfile:
        try:
            os.kill(int(Path(pidfile).read_text().strip()), signal.SIGHUP)
        except (OSError, ValueError) as e:
            logger.error("MQTT broker not reloaded (pid file %s): %s", pidfile, e)
    return result


# --- local brokers (CI, demo, tests) ---------------------------------------------------------------

#: settings of the production config that name paths, listeners or auth: replaced in local brokers
_LOCAL_DROPS = ("persistence_location", "password_file", "acl_file", "allow_anonymous", "per_listener_settings",
                "listener", "protocol", "certfile", "keyfile", "cafile", "tls_version", "log_dest", "log_type",
                "pid_file", "user", "connection_messages")


def project_config() -> Path:
    return Path(settings.PROJECT_DIR) / CONFIG


def local_config(directory: Path, *, port: int | None = None, auth_port: int | None = None,
                 base: Path | None = None, host: str = "127.0.0.1") -> str:
    """The text of a Mosquitto config for a local broker in ``directory``: the project's config
    (``base``, default ``deploy/mosquitto/worksafe.conf``) without its paths, listeners and auth,
    then ``port`` anonymous (if given) and ``auth_port`` with ``directory``/passwd and /acl (if given),
    persistence in ``directory``, log in ``directory``/mosquitto.log."""
    directory = Path(directory)
    kept = []
    for line in (base or project_config()).read_text().splitlines():
        word = line.split("#", 1)[0].split()
        if word and word[0] in _LOCAL_DROPS:
            continue
        kept.append(line)
    out = ["# generated by worksafe (worksafe.monitoring.broker.local_config) from " + str(base or CONFIG), *kept,
           "", "per_listener_settings true", f"persistence_location {directory}/",
           f"log_dest file {directory}/mosquitto.log", f"pid_file {directory}/mosquitto.pid", "log_type error", "log_type warning", "log_type notice"]
    try:
        import pwd

        if os.getuid() == 0:  # mosquitto drops root for the user "mosquitto" unless told otherwise
            out.append(f"user {pwd.getpwuid(os.getuid()).pw_name}")
    except ImportError:  # pragma: no cover - not POSIX
        pass
    if port:
        out += ["", "# anonymous: local tests and the demo only (loopback)", f"listener {port} {host}",
                "allow_anonymous true"]
    if auth_port:
        out += ["", "# authenticated: the production rules (passwd and acl from `worksafe mqtt-passwd`)",
                f"listener {auth_port} {host}", "allow_anonymous false",
                f"password_file {directory}/passwd", f"acl_file {directory}/acl"]
    return "\n".join(out) + "\n"
