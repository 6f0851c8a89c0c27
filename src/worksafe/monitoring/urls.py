from django.urls import path

from . import views

app_name = "monitoring"
urlpatterns = [
    path("", views.Board.as_view(), name="board"),
    path("board/rows/", views.BoardRows.as_view(), name="board_rows"),
    path("alarms/", views.AlarmList.as_view(), name="alarm_list"),
    path("alarms/<int:pk>/", views.AlarmDetail.as_view(), name="alarm_detail"),
    path("alarms/<int:pk>/act/", views.AlarmAct.as_view(), name="alarm_act"),
    path("sensors/", views.SensorList.as_view(), name="sensor_list"),
    path("sensors/<int:pk>/", views.SensorDetail.as_view(), name="sensor_detail"),
    path("sensors/<int:pk>/data/", views.SensorData.as_view(), name="sensor_data"),
    path("sensors/<int:pk>/edit/", views.SensorEdit.as_view(), name="sensor_edit"),
    path("objects/", views.ObjectList.as_view(), name="object_list"),
    path("objects/<int:pk>/", views.ObjectDetail.as_view(), name="object_detail"),
    path("gateways/", views.GatewayList.as_view(), name="gateway_list"),
    path("gateways/new/", views.GatewayCreate.as_view(), name="gateway_create"),
    path("gateways/<int:pk>/", views.GatewayDetail.as_view(), name="gateway_detail"),
    path("gateways/<int:pk>/rotate/", views.GatewayRotate.as_view(), name="gateway_rotate"),
    path("dead-letters/", views.DeadLetterList.as_view(), name="deadletter_list"),
    path("dead-letters/<int:pk>/", views.DeadLetterDetail.as_view(), name="deadletter_detail"),
    path("dead-letters/<int:pk>/review/", views.DeadLetterReview.as_view(), name="deadletter_review"),
    path("gateways/<int:pk>/sensors/new/", views.SensorCreate.as_view(), name="sensor_create"),
]
