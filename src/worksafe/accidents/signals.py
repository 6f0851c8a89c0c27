"""The accidents app's signal: other apps (credit: listings and accountability actions; tipoffs: the
tip-off that revealed a concealed accident) subscribe to it; accidents imports neither.

``accident_recorded`` is sent with ``sender=Accident`` and the keyword arguments ``accident`` (the
saved row) and ``created`` (True when it was just recorded) whenever an accident is recorded or
its grade or its concealed / falsely-reported flags change. It is sent after the transaction
commits, so a receiver sees the row as written.
"""

from django.dispatch import Signal

accident_recorded = Signal()  # kwargs: accident, created: bool
