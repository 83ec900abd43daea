from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from console import views as console_views

from . import views

urlpatterns = [
    # The console's datasets page: the remembered project/location, or the selector to choose them.
    path("", console_views.datasets_home, name="home"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/setlang/", views.set_language, name="set_language"),
    path("healthz", views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("", include("console.urls")),
    path("", include("operations.urls")),
]
