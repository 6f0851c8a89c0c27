"""The `worksafe` console command: manage.py with the settings preset.

`worksafe serve`, `worksafe demo`, `worksafe import-plan`, `worksafe tick` are
management commands; every other Django command works too.
"""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "worksafe.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["worksafe", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    main()
