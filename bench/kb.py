"""Help-center search at scale: N published articles (default 10,000).

    python -m bench.kb --n 10000        # or: make bench (BENCH_KB_N)

Builds once per N (cached under $SUPPORTDESK_DATA_DIR/bench/) a SQLite database of N
articles whose text is real support language: titles and bodies sampled from the
StackFAQ answers (../shared/data/kb/stackfaq) and Bitext's customer-support utterances
(../shared/data/intents/bitext), about 250 words each, in 40 sections; a tenth are
internal. Indexes them with the real indexer (`kb.services.reindex_all`), then measures,
as an anonymous visitor with Django's test client (the whole view, template and search
log included), the latency of:
- /help/search/?q= with real questions (StackFAQ's and Bitext's), whole and as 1-2 words;
- /help/suggest/ (what the request form asks for while the customer types);
- the same questions with one typo per word (the correction path);
and the search function alone. Target (issue 8): help-center search p95 under 50 ms.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import re
import shutil
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.common import REPO, cpu_check, data_dir, report
from bench.generate import schema_version

SEED = 8
SHARED = REPO.parent / "shared" / "data"


def _sentences_and_questions() -> tuple[list[str], list[str]]:
    threads = json.loads((SHARED / "kb" / "stackfaq" / "stackfaq_docs.json").read_text())
    sentences = [
        s.strip()
        for thread in threads
        for answer in thread["answers"]
        for s in re.split(r"(?<=[.!?])\s+", answer)
        if 20 < len(s.strip()) < 300
    ]
    questions = [t["title"] for t in threads]
    with (SHARED / "intents" / "bitext" / "TrainingdatasetBitextsample.csv").open(
        newline="", encoding="utf-8-sig"
    ) as f:
        utterances = [row["utterance"].strip() for row in csv.DictReader(f)]
    with (SHARED / "kb" / "stackfaq" / "dev_stackfaq_queries_set1.tsv").open(newline="") as f:
        questions += [row["query"] for row in csv.DictReader(f, delimiter="\t")]
    return sentences + utterances[::3], questions + utterances[1::7]


def _home(n: int) -> Path:
    home = data_dir() / "bench" / f"kb-N{n}-v{schema_version()}"
    home.mkdir(parents=True, exist_ok=True)
    return home


def _setup_django(home: Path) -> None:
    os.environ["SUPPORTDESK_DATA_DIR"] = str(home)
    os.environ.pop("DATABASE_URL", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "supportdesk.settings"
    os.environ["HUEY_IMMEDIATE"] = "false"
    import django

    django.setup()


def _build(n: int, pool: list[str], rng: random.Random) -> float:
    from django.core.management import call_command
    from django.db import transaction
    from django.utils import timezone

    from supportdesk.accounts.models import Role, User
    from supportdesk.kb import services
    from supportdesk.kb.markdown import render_with_text
    from supportdesk.kb.models import Article, Translation

    began = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    author = User.objects.create_user("author@bench.test", name="Author", role=Role.ADMIN)
    categories = [services.save_category(by=author, name=f"Topic {i}") for i in range(8)]
    sections = [
        services.save_section(by=author, category=categories[i % 8], name=f"Section {i}")
        for i in range(40)
    ]
    now = timezone.now()
    with transaction.atomic():
        # Rows in bulk (the services would take minutes at 10k); the index is built by the
        # real indexer below.
        articles = [
            Article(
                section=rng.choice(sections),
                slug=f"article-{i}",
                state="published",
                visibility="internal" if i % 10 == 9 else "public",
                owner=author,
                tags=rng.sample(["billing", "account", "mobile", "api", "export"], 2),
                views=int(rng.paretovariate(1.2)),
                published_at=now,
            )
            for i in range(n)
        ]
        Article.objects.bulk_create(articles, batch_size=2000)
        rows = []
        for article in Article.objects.order_by("pk"):
            body = " ".join(rng.choice(pool) for _ in range(rng.randint(8, 20)))
            html, text = render_with_text(body)
            title = rng.choice(pool)[:120]
            rows.append(Translation(article=article, language="en", title=title, body=body,
                                    html=html, text=text))  # fmt: skip
        Translation.objects.bulk_create(rows, batch_size=2000)
        services.reindex_all()
    return time.perf_counter() - began


def _typo(text: str, rng: random.Random) -> str:
    def one(word: str) -> str:
        if len(word) < 5:
            return word
        i = rng.randrange(1, len(word) - 1)
        return word[:i] + word[i + 1 :]

    return " ".join(one(w) for w in text.split())


def _latencies(call: Callable[[], Any], repeat: int) -> dict[str, float]:
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        call()
        times.append((time.perf_counter() - began) * 1000)
    times.sort()
    return {
        "p50 ms": round(statistics.median(times), 1),
        "p95 ms": round(times[int(len(times) * 0.95) - 1], 1),
        "max ms": round(times[-1], 1),
    }


def _measure(questions: list[str], rng: random.Random, repeat: int) -> list[dict[str, Any]]:
    from django.test import Client

    from supportdesk.kb.search import search

    client = Client()
    client.get("/help/search/", {"q": "warm up"})
    asked = [rng.choice(questions) for _ in range(repeat)]
    short = [" ".join(rng.sample(q.split(), min(2, len(q.split())))) for q in asked]
    typos = [_typo(q, rng) for q in asked]

    def page(texts: list[str], path: str, key: str) -> Callable[[], Any]:
        it = iter(enumerate(texts))

        def call() -> None:
            # Many visitors, one address each, as the rate limit (60 a minute) expects.
            i, text = next(it)
            address = f"10.{i // 62500}.{i // 250 % 250}.{i % 250 + 1}"
            answer = client.get(path, {key: text}, REMOTE_ADDR=address)
            assert answer.status_code == 200, answer.status_code

        return call

    def bare(texts: list[str]) -> Callable[[], Any]:
        it = iter(texts)
        return lambda: search(next(it), user=None, language="en")

    cases = [
        ("help-center search page, questions", page(asked, "/help/search/", "q")),
        ("help-center search page, 1-2 words", page(short, "/help/search/", "q")),
        ("help-center search page, typos", page(typos, "/help/search/", "q")),
        ("request-form suggestions", page(asked, "/help/suggest/", "body")),
        ("search function alone, questions", bare(asked)),
    ]
    return [
        {"measure": name, "requests": repeat, **_latencies(call, repeat)} for name, call in cases
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=400)
    args = parser.parse_args()
    rng = random.Random(SEED)
    home = _home(args.n)
    ready = home / "ready"
    if not ready.exists():  # a build that stopped half-way starts again
        shutil.rmtree(home)
        home.mkdir(parents=True)
    _setup_django(home)
    pool, questions = _sentences_and_questions()
    built = None
    if not ready.exists():
        built = round(_build(args.n, pool, rng), 1)
        ready.touch()
    before = cpu_check()
    rows = _measure(questions, rng, args.repeat)
    report("kb", args.n, rows, build_seconds=built, cpu_check=[before, cpu_check()])


if __name__ == "__main__":
    main()
