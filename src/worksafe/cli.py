"""The `worksafe` console command: manage.py with the settings preset.

`worksafe serve`, `worksafe demo`, `worksafe import-plan`, `worksafe tick` are
management commands; every other Django command works too. A command whose module
is named with underscores may be called with dashes (`worksafe ingest-mqtt`).
"""

import os
import sys


def _command_name(name: str) -> str:
    """``ingest-mqtt`` -> ``ingest_mqtt`` when only the latter is a command."""
    if "-" not in name or name.startswith("-"):
        return name
    try:
        import django
        from django.core.management import get_commands

        django.setup()
        commands = get_commands()
    except Exception:  # let Django report whatever is wrong
        return name
    alias = name.replace("-", "_")
    return alias if name not in commands and alias in commands else name


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "worksafe.settings")
    from django.core.management import execute_from_command_line

    args = list(sys.argv[1:] if argv is None else argv)
    if args:
        args[0] = _command_name(args[0])
    execute_from_command_line(["worksafe", *args])


if __name__ == "__main__":
    main()
