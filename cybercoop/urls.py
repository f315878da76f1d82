from __future__ import annotations

from allauth.account import views as account_views
from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from agencies import urls as agencies_urls
from assistance import urls as assistance_urls
from audit import urls as audit_urls
from cases import urls as cases_urls
from cybercoop import views
from interop import urls as interop_urls
from notices import urls as notices_urls
from notifications import urls as notifications_urls
from sharing import urls as sharing_urls

APP_URLS = [
    agencies_urls,
    audit_urls,
    cases_urls,
    assistance_urls,
    notices_urls,
    notifications_urls,
    sharing_urls,
    interop_urls,
]

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("favicon.ico", views.favicon, name="favicon"),
    path("login/", account_views.login, name="login"),
    path("logout/", account_views.logout, name="logout"),
    path("accounts/", include("allauth.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api_docs"),
    *(path("", include(module.urlpatterns)) for module in APP_URLS),
    *(path("api/v1/", include(module.api_urlpatterns)) for module in APP_URLS),
]
if settings.ADMIN_ENABLED:
    urlpatterns.append(path("admin/", admin.site.urls))
