"""Renders every case of the differential corpus with Django (the reference implementation
of SPEC T2) and prints {template name: output} as JSON. Contexts: tests/django/contexts.json,
{"base": {...}, "cases": {"name.html": {overrides}}}; {"__date__": "ISO"} becomes a datetime.
Run with the interpreter of a venv that has Django (see tests/app/django_diff.rs)."""

import datetime
import json
import os
import sys

import django
from django.conf import settings

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(HERE, "corpus")

settings.configure(USE_TZ=False, TIME_ZONE="UTC", USE_I18N=False, LANGUAGE_CODE="en-us")
django.setup()

from django.template import Context, Engine  # noqa: E402


def revive(value):
    if isinstance(value, dict):
        if set(value) == {"__date__"}:
            return datetime.datetime.fromisoformat(value["__date__"])
        return {k: revive(v) for k, v in value.items()}
    if isinstance(value, list):
        return [revive(v) for v in value]
    return value


def main():
    with open(os.path.join(HERE, "contexts.json"), encoding="utf-8") as fh:
        spec = json.load(fh)
    engine = Engine(dirs=[CORPUS], autoescape=True, debug=False, libraries={"i18n": "django.templatetags.i18n"})
    out = {}
    for name, overrides in sorted(spec["cases"].items()):
        ctx = dict(spec["base"])
        ctx.update(overrides)
        try:
            out[name] = engine.get_template(name).render(Context(revive(ctx)))
        except Exception as e:  # reported as the output, so the Rust side shows it
            out[name] = "ERROR: %s: %s" % (type(e).__name__, e)
    json.dump(out, sys.stdout, ensure_ascii=False)


if __name__ == "__main__":
    main()
