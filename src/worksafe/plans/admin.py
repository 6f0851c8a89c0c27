from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from worksafe.org.models import Sector

from .models import Area, Phase, Plan, Target, Task

for model in (Plan, Phase, Area, Task, Target, Sector):
    admin.site.register(model, SimpleHistoryAdmin)
