from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Area, Phase, Plan, Sector, Target, Task

for model in (Plan, Phase, Area, Task, Target, Sector):
    admin.site.register(model, SimpleHistoryAdmin)
