from django.urls import path

from . import views

app_name = "accidents"
urlpatterns = [
    path("", views.AccidentList.as_view(), name="accident_list"),
    path("new/", views.AccidentCreate.as_view(), name="accident_create"),
    path("<int:pk>/", views.AccidentDetail.as_view(), name="accident_detail"),
    path("<int:pk>/act/", views.AccidentAct.as_view(), name="accident_act"),
]
