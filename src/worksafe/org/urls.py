from django.urls import path

from . import views

app_name = "org"
urlpatterns = [
    path("divisions/", views.DivisionList.as_view(), name="division_list"),
    path("divisions/<int:pk>/", views.DivisionDetail.as_view(), name="division_detail"),
    path("divisions/<int:pk>/edit/", views.DivisionEdit.as_view(), name="division_edit"),
    path("departments/", views.DepartmentList.as_view(), name="department_list"),
    path("departments/new/", views.DepartmentCreate.as_view(), name="department_create"),
    path("departments/<int:pk>/", views.DepartmentDetail.as_view(), name="department_detail"),
    path("departments/<int:pk>/edit/", views.DepartmentEdit.as_view(), name="department_edit"),
    path("users/", views.UserList.as_view(), name="user_list"),
    path("users/new/", views.UserCreate.as_view(), name="user_create"),
    path("users/<int:pk>/", views.UserDetail.as_view(), name="user_detail"),
    path("users/<int:pk>/security/", views.SecurityAction.as_view(), name="security_action"),
    path("users/<int:pk>/memberships/", views.MembershipAdd.as_view(), name="membership_add"),
    path("memberships/<int:pk>/end/", views.MembershipEnd.as_view(), name="membership_end"),
    path("token/", views.TokenRenew.as_view(), name="token_renew"),
]
