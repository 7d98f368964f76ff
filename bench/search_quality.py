"""Knowledge-base search quality on real questions: StackFAQ (../shared/data/kb/stackfaq).

    python -m bench.search_quality            # SQLite in a fresh folder
    DATABASE_URL=postgresql://... python -m bench.search_quality

Loads StackFAQ's 125 threads as published help-center articles (the title as title, the
answers as body) through the kb services, then asks its 625 paraphrased questions
through the help center's own search (`supportdesk.kb.search.search`, as a visitor) and
measures hit@1, hit@5 and MRR (over the top 10). The ranking was tuned on the first 300
questions only; the remaining 325 are reported separately, untouched by tuning.
"""

from __future__ import annotations

import csv
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from bench.common import REPO, report

DATA = REPO.parent / "shared" / "data" / "kb" / "stackfaq"
TUNED = 300


def available() -> bool:
    return (DATA / "stackfaq_docs.json").is_file()


def threads() -> list[dict[str, Any]]:
    return json.loads((DATA / "stackfaq_docs.json").read_text())


def questions() -> list[tuple[str, int]]:
    with (DATA / "dev_stackfaq_queries_set1.tsv").open(newline="") as f:
        return [(row["query"], int(row["doc_id"])) for row in csv.DictReader(f, delimiter="\t")]


def load_articles(by: Any) -> dict[int, int]:
    """Publish every thread as an article; {doc_id: article id}."""
    from supportdesk.kb import services

    category = services.save_category(by=by, name="StackExchange")
    section = services.save_section(by=by, category=category, name="Questions")
    ids = {}
    for thread in threads():
        article = services.create_article(
            by=by,
            section=section,
            title=thread["title"],
            body="\n\n".join(thread["answers"]),
            state="published",
        )
        ids[thread["doc_id"]] = article.pk
    return ids


def evaluate(pairs: list[tuple[str, int]], ids: dict[int, int]) -> dict[str, Any]:
    from supportdesk.kb.search import search

    hit1 = hit5 = 0
    reciprocal = 0.0
    for text, doc_id in pairs:
        found = [r.article.pk for r in search(text, user=None, language="en", limit=10).results]
        want = ids[doc_id]
        if found[:1] == [want]:
            hit1 += 1
        if want in found[:5]:
            hit5 += 1
        if want in found:
            reciprocal += 1 / (found.index(want) + 1)
    n = len(pairs)
    return {
        "questions": n,
        "hit@1": round(hit1 / n, 3),
        "hit@5": round(hit5 / n, 3),
        "MRR@10": round(reciprocal / n, 3),
    }


def run_all(by: Any) -> list[dict[str, Any]]:
    ids = load_articles(by)
    pairs = questions()
    return [
        {"part": "tuned (first 300)", **evaluate(pairs[:TUNED], ids)},
        {"part": "untuned (last 325)", **evaluate(pairs[TUNED:], ids)},
        {"part": "all", **evaluate(pairs, ids)},
    ]


def main() -> None:
    if not available():
        raise SystemExit(f"StackFAQ is not at {DATA}")
    home = Path(tempfile.mkdtemp(prefix="search-quality-"))
    os.environ["SUPPORTDESK_DATA_DIR"] = str(home)
    os.environ["DJANGO_SETTINGS_MODULE"] = "supportdesk.settings"
    os.environ["HUEY_IMMEDIATE"] = "false"
    import django

    django.setup()
    from django.core.management import call_command

    from supportdesk.accounts.models import Role, User

    call_command("migrate", interactive=False, verbosity=0)
    by = User.objects.create_user("author@bench.test", name="Author", role=Role.ADMIN)
    rows = run_all(by)
    report("search_quality", len(threads()), rows, data="StackFAQ", model="none (default)")


if __name__ == "__main__":
    main()
