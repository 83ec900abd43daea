from django.contrib.auth.decorators import login_not_required
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.i18n import set_language as django_set_language


def home(request):
    return render(request, "home.html")


# The language can be switched on the login page too.
set_language = login_not_required(django_set_language)


@login_not_required
@never_cache
def healthz(request):
    from django.http import JsonResponse

    return JsonResponse({"status": "ok"})
