from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from worksafe.accidents.api import register as register_accidents
from worksafe.core.views import HomeView
from worksafe.credit.api import register as register_credit
from worksafe.enterprises.api import register as register_enterprises
from worksafe.hazards.api import register as register_hazards
from worksafe.inspections.api import register as register_inspections
from worksafe.monitoring.api import register as register_monitoring
from worksafe.org.api import register as register_org
from worksafe.org.views import OTPSetup, OTPVerify, PasswordChange
from worksafe.plans.api import register as register_plans
from worksafe.reporting.api import register as register_reporting
from worksafe.risks.api import register as register_risks
from worksafe.tipoffs.api import register as register_tipoffs
from worksafe.training.api import register as register_training

router = DefaultRouter()
register_org(router)
register_plans(router)
register_enterprises(router)
register_risks(router)
register_hazards(router)
register_monitoring(router)
register_inspections(router)
register_accidents(router)
register_credit(router)
register_tipoffs(router)
register_training(router)
register_reporting(router)

urlpatterns = [
    path("", HomeView.as_view(), name="home"),
    path("accounts/login/", login_not_required(auth_views.LoginView.as_view()), name="login"),
    path("accounts/otp/", OTPVerify.as_view(), name="otp_verify"),
    path("accounts/otp/setup/", OTPSetup.as_view(), name="otp_setup"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", PasswordChange.as_view(), name="password_change"),
    path("accounts/password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("", include("worksafe.core.urls")),
    path("org/", include("worksafe.org.urls")),
    path("plans/", include("worksafe.plans.urls")),
    path("enterprises/", include("worksafe.enterprises.urls")),
    path("risks/", include("worksafe.risks.urls")),
    path("hazards/", include("worksafe.hazards.urls")),
    path("monitoring/", include("worksafe.monitoring.urls")),
    path("inspections/", include("worksafe.inspections.urls")),
    path("accidents/", include("worksafe.accidents.urls")),
    path("credit/", include("worksafe.credit.urls")),
    path("tipoffs/", include("worksafe.tipoffs.urls")),
    path("training/", include("worksafe.training.urls")),
    path("reporting/", include("worksafe.reporting.urls")),
    path("api/", include(router.urls)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="api-schema"), name="api-redoc"),
    path("admin/", admin.site.urls),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

handler400 = "worksafe.core.views.bad_request"
handler403 = "worksafe.core.views.permission_denied"
handler404 = "worksafe.core.views.page_not_found"
handler500 = "worksafe.core.views.server_error"
