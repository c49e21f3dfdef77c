"""Issue 4: the demo petition rendered by Django and Jinja2, for comparison with benches/render.rs.

Both render the Original set's template text as it is in templatesets/original/ (the common
subset of Django and Jinja2) with the context benches/render.rs dumped to
target/bench-context.json. Django: a standalone Engine with the cached loader over a locmem
loader (Django resolves "./x.html" itself); Jinja2: an Environment with autoescaping and a
loader that strips "./". Each side renders `--warmup` times, then `--rounds` rounds of
`--n` renders timed with time.perf_counter; prints the median µs/render per engine.

    python benches/render_reference.py [--n-django 2000] [--n-jinja 10000] [--rounds 5] [--json]
"""

import argparse
import json
import pathlib
import statistics
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "templatesets" / "original"
TARGET = ROOT / "target"
NAME = "petition.html"


def sources():
    return {p.name: p.read_text(encoding="utf-8") for p in TEMPLATES.glob("*.html")}


def django_render():
    import django
    from django.conf import settings

    # Defaults otherwise (USE_I18N and USE_TZ on, as a Django site has them).
    settings.configure(DEBUG=False)
    django.setup()
    from django.template import Context, Engine

    engine = Engine(
        debug=False,
        autoescape=True,
        loaders=[("django.template.loaders.cached.Loader", [("django.template.loaders.locmem.Loader", sources())])],
    )

    def render(ctx):
        # What a view does per request: fetch from the (cached) loader, render a Context.
        return engine.get_template(NAME).render(Context(ctx))

    return render, django.get_version()


def jinja_render():
    import jinja2

    files = sources()

    def load(name):
        name = name[2:] if name.startswith("./") else name
        return files.get(name)

    env = jinja2.Environment(loader=jinja2.FunctionLoader(load), autoescape=True, auto_reload=False)

    def render(ctx):
        return env.get_template(NAME).render(ctx)

    return render, jinja2.__version__


def measure(render, ctx, n, rounds, warmup):
    for _ in range(warmup):
        render(ctx)
    per_round = []
    for _ in range(rounds):
        start = time.perf_counter()
        for _ in range(n):
            render(ctx)
        per_round.append((time.perf_counter() - start) / n * 1e6)
    return per_round


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n-django", type=int, default=2000)
    ap.add_argument("--n-jinja", type=int, default=10000)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--warmup", type=int, default=200)
    ap.add_argument("--json", action="store_true", help="one JSON line instead of text")
    args = ap.parse_args()

    ctx_path = TARGET / "bench-context.json"
    if not ctx_path.exists():
        sys.exit(f"{ctx_path} missing: run benches/render.sh (the Rust bench writes it)")
    ctx = json.loads(ctx_path.read_text(encoding="utf-8"))

    result = {}
    for engine, make, n in (("django", django_render, args.n_django), ("jinja2", jinja_render, args.n_jinja)):
        render, version = make()
        html = render(ctx)
        (TARGET / f"bench-output-{engine}.html").write_text(html, encoding="utf-8")
        rounds = measure(render, ctx, n, args.rounds, args.warmup)
        result[engine] = {
            "version": version,
            "bytes": len(html.encode("utf-8")),
            "rounds_us": rounds,
            "median_us": statistics.median(rounds),
        }

    if args.json:
        print(json.dumps(result))
    else:
        for engine, r in result.items():
            rounds = ", ".join(f"{x:.1f}" for x in r["rounds_us"])
            print(f"{engine} {r['version']}: median {r['median_us']:.1f} µs/render ({rounds}); {r['bytes']} bytes")


if __name__ == "__main__":
    main()
