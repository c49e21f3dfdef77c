"""The one page: the demo petition, rendered per request like Placard's GET."""

import json

from django.conf import settings
from django.http import HttpResponse
from django.template import loader
from django.urls import path

# Read once per worker, as Placard keeps the page and its strings in memory.
CONTEXT = json.loads(settings.BENCH_CONTEXT.read_text(encoding="utf-8"))


def petition(request):
    html = loader.get_template("petition.html").render(CONTEXT, request=None)
    return HttpResponse(html, content_type="text/html; charset=utf-8")


urlpatterns = [path("sign/save-the-bees/", petition)]
