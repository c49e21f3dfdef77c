"""Settings of the Django reference site (benches/django_site/README.md).

Django's defaults otherwise (USE_I18N and USE_TZ on, as benches/render_reference.py has
them); DEBUG off, so the template loaders are wrapped in the cached loader.
"""

import pathlib

ROOT = pathlib.Path(__file__).resolve().parents[3]

DEBUG = False
SECRET_KEY = "benchmark only, never deployed"
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
ROOT_URLCONF = "benchsite.urls"
WSGI_APPLICATION = "benchsite.wsgi.application"
INSTALLED_APPS = []
MIDDLEWARE = []
DATABASES = {}
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [str(ROOT / "templatesets" / "original")],
        "APP_DIRS": False,
        "OPTIONS": {"autoescape": True},
    }
]
BENCH_CONTEXT = ROOT / "target" / "bench-context.json"
