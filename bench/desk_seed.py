"""Seed a desk benchmark: 100,000 reports in 50,000 cases on one site, inserted in bulk.

Makes a site `bench` with 5,000 articles (one ~4 KB text each, a second version for
the re-anchored ones), 50,000 cases spread over the last 90 days (about 60 % open,
the rest closed with every outcome; fact/typo/other; some "looks fixed", some
assigned, most closed ones and some open ones first acted on within three days), and
100,000 reports (readers per case from a long-tailed spread) with suggestions,
comments, languages and emails. Articles have titles ending in the site's name, and
most a section and an author; the site log has a line for each closed case. An editor
`bench-editor` (password `bench-password`) is a member. Runs in a minute or so on these
machines.

    CORRIGO_DATA=/tmp/corrigo-bench python bench/desk_seed.py               # SQLite
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/corrigo_bench python bench/desk_seed.py

The database is migrated first; an earlier `bench` site is deleted and made anew.
"""

import argparse
import hashlib
import os
import random
import sys
import time
from datetime import timedelta

CASES = 50_000
REPORTS = 100_000
ARTICLES = 5_000
WORDS = [
    "council",
    "harbour",
    "ferry",
    "islanders",
    "crossing",
    "vote",
    "budget",
    "mayor",
    "winter",
    "storm",
    "school",
    "teachers",
    "hospital",
    "minister",
    "election",
    "river",
    "bridge",
    "museum",
    "festival",
    "fishermen",
    "port",
    "schedule",
    "night",
    "service",
    "tickets",
    "August",
    "March",
    "Tuesday",
    "percent",
    "million",
    "residents",
    "spokesman",
    "report",
    "survey",
    "police",
    "court",
    "judge",
]
SUGGESTIONS = ["August", "the mayor's office", "34 percent, not 43", "Wednesday", "spelled Tallinn", "it was 2019", ""]
COMMENTS = ["", "", "The figure is from last year.", "Wrong name in the caption.", "Типографська помилка", "Опечатка в слове"]
LANGUAGES = ["en", "en", "en", "uk", "ru", ""]
SECTIONS = ["Local", "Politics", "Business", "Sport", "Culture", "Weather", ""]
AUTHORS = ["Mira Okonkwo", "Bram Keller", "Teodora Vasquez", "Siobhan Reyes", "Ada Lindqvist", "", ""]


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=CASES)
    parser.add_argument("--reports", type=int, default=REPORTS)
    parser.add_argument("--articles", type=int, default=ARTICLES)
    parser.add_argument("--seed", type=int, default=5)
    return parser.parse_args(argv)


def setup():
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "src"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "corrigo.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def article_text(rng, n):
    sentences = []
    for _ in range(40):
        words = rng.choices(WORDS, k=rng.randint(8, 16))
        sentences.append(" ".join(words).capitalize() + ".")
    return f"Story {n}: " + " ".join(sentences[:1]) + "\n" + "\n".join(" ".join(sentences[i : i + 4]) for i in range(1, 40, 4))


def readers_per_case(rng, cases, reports):
    """Every case has one reader; the extra readers go to a few cases, long-tailed."""
    counts = [1] * cases
    order = list(range(cases))
    rng.shuffle(order)
    for _ in range(reports - cases):
        counts[order[min(int(rng.expovariate(1 / 3000)), cases - 1)]] += 1
    return counts


def seed(args):
    from django.contrib.auth.models import User
    from django.db import transaction
    from django.utils import timezone

    from corrigo import audit
    from corrigo.articles.models import Article, ArticleVersion
    from corrigo.audit.models import Entry, Verb
    from corrigo.reports.models import AnchorStatus, Case, CaseStatus, Report
    from corrigo.reports.priority import case_priority
    from corrigo.sites.models import Membership, Site

    rng = random.Random(args.seed)
    now = timezone.now()
    started = time.perf_counter()
    Site.objects.filter(key="bench").delete()
    with transaction.atomic():
        site = Site.objects.create(key="bench", name="Bench Daily")
        editor, _ = User.objects.get_or_create(username="bench-editor")
        editor.set_password("bench-password")
        editor.save()
        Membership.objects.update_or_create(user=editor, site=site, defaults={"role": "editor"})
        helpers = [User.objects.get_or_create(username=f"bench-editor-{i}")[0] for i in range(3)]
        for helper in helpers:
            Membership.objects.update_or_create(user=helper, site=site, defaults={"role": "editor"})

        articles = Article.objects.bulk_create(
            [
                Article(
                    site=site,
                    identity=hashlib.sha256(f"bench-{n}".encode()).hexdigest(),
                    url=f"https://bench.example/{n}",
                    title=f"Story {n}: " + " ".join(rng.choices(WORDS, k=6)) + " — Bench Daily",
                    section=rng.choice(SECTIONS),
                    author=rng.choice(AUTHORS),
                )
                for n in range(args.articles)
            ],
            batch_size=1000,
        )
        texts = [article_text(rng, n) for n in range(args.articles)]
        versions = ArticleVersion.objects.bulk_create(
            [
                ArticleVersion(article=a, text=t, text_hash=hashlib.sha256(t.encode()).hexdigest())
                for a, t in zip(articles, texts, strict=False)
            ],
            batch_size=1000,
        )
        # A later text for a third of the articles: their cases carry an anchor state.
        later = ArticleVersion.objects.bulk_create(
            [
                ArticleVersion(
                    article=a, text=t.replace("August", "Augest"), text_hash=hashlib.sha256((t + "v2").encode()).hexdigest()
                )
                for a, t in list(zip(articles, texts, strict=False))[::3]
            ],
            batch_size=1000,
        )
        later_of = {v.article_id: v for v in later}
        version_of = {a.pk: v for a, v in zip(articles, versions, strict=False)}
        print(f"articles: {len(articles)} ({time.perf_counter() - started:.1f} s)", flush=True)

        counts = readers_per_case(rng, args.cases, args.reports)
        statuses = (
            [CaseStatus.OPEN] * 12
            + [CaseStatus.FIXED] * 4
            + [CaseStatus.NOT_ERROR, CaseStatus.WONT_FIX, CaseStatus.SPAM, CaseStatus.DUPLICATE]
        )
        cases, dates = [], []
        for n in range(args.cases):
            article = articles[rng.randrange(len(articles))]
            version = version_of[article.pk]
            start = rng.randrange(0, len(version.text) - 40)
            end = start + rng.randint(3, 30)
            created = now - timedelta(seconds=rng.randrange(90 * 24 * 3600))
            last = min(now, created + timedelta(seconds=rng.randrange(3 * 24 * 3600))) if counts[n] > 1 else created
            category = rng.choice(["fact", "typo", "typo", "other", ""])
            status = rng.choice(statuses)
            dates.append((created, last))
            closed = status != CaseStatus.OPEN
            acted = created + timedelta(seconds=rng.randrange(3 * 24 * 3600)) if closed or rng.random() < 0.3 else None
            acted = min(acted, now) if acted else None
            anchor = later_of.get(article.pk)
            anchor_status = rng.choice([AnchorStatus.UNCHANGED, AnchorStatus.CHANGED, AnchorStatus.GONE]) if anchor else ""
            cases.append(
                Case(
                    site=site,
                    article=article,
                    status=status,
                    category=category,
                    version=version,
                    exact=version.text[start:end],
                    prefix=version.text[max(0, start - 32) : start],
                    suffix=version.text[end : end + 32],
                    start=start,
                    end=end,
                    anchor_status=anchor_status,
                    anchor_version=anchor if anchor_status and anchor_status != "gone" else None,
                    anchor_start=start if anchor_status in ("unchanged", "changed") else None,
                    anchor_end=end if anchor_status in ("unchanged", "changed") else None,
                    anchor_checked_at=now if anchor_status else None,
                    report_count=counts[n],
                    reader_count=counts[n],
                    last_reported_at=last,
                    assignee=rng.choice([*helpers, editor]) if rng.random() < 0.15 else None,
                    priority=case_priority(counts[n], category, last),
                    resolved_at=None if status == CaseStatus.OPEN else max(acted, last),
                    first_action_at=acted,
                    created_at=created,
                    updated_at=last,
                )
            )
        Case.objects.bulk_create(cases, batch_size=2000)
        print(f"cases: {len(cases)} ({time.perf_counter() - started:.1f} s)", flush=True)

        reports = []
        serial = 0
        # Reports keep the seeded times (auto_now_add would stamp them all "now"): the first
        # reader's is the case's, the others' fall between it and the case's last report.
        Report._meta.get_field("created_at").auto_now_add = False
        for case, count, (created, last) in zip(cases, counts, dates, strict=False):
            for i in range(count):
                serial += 1
                reports.append(
                    Report(
                        uid=f"b{serial:011d}",
                        site=site,
                        case=case,
                        article_id=case.article_id,
                        version_id=case.version_id,
                        client_report_id=f"bench-{serial:08d}",
                        url=f"https://bench.example/{case.article_id}",
                        exact=case.exact,
                        prefix=case.prefix,
                        suffix=case.suffix,
                        start=case.start,
                        end=case.end,
                        suggestion=rng.choice(SUGGESTIONS),
                        category=case.category,
                        # Some comments name a paragraph: a search for one finds a few dozen cases.
                        comment=rng.choice(COMMENTS) or (f"See paragraph {rng.randrange(2000)}." if rng.random() < 0.5 else ""),
                        email=f"reader{serial}@example.net" if rng.random() < 0.3 else "",
                        language=rng.choice(LANGUAGES),
                        created_at=created if i == 0 else created + (last - created) * rng.random(),
                    )
                )
            if len(reports) >= 5000:
                Report.objects.bulk_create(reports, batch_size=2500)
                reports = []
        Report.objects.bulk_create(reports, batch_size=2500)
        Report._meta.get_field("created_at").auto_now_add = True
        print(f"reports: {serial} ({time.perf_counter() - started:.1f} s)", flush=True)

        # The site log: a line for each closed case, as the desk would have written it.
        lines = []
        for case in cases:
            if case.status != CaseStatus.OPEN:
                line = audit.entry(site, editor, Verb.CASE_STATUS, case=case, before=CaseStatus.OPEN, after=case.status)
                line.created_at = case.resolved_at
                lines.append(line)
        Entry.objects.bulk_create(lines, batch_size=2000)
        print(f"site log: {len(lines)} lines ({time.perf_counter() - started:.1f} s)", flush=True)
    _restore_dates(cases, dates)
    _analyze()
    print(f"seeded site 'bench' in {time.perf_counter() - started:.1f} s", flush=True)


def _restore_dates(cases, dates):
    """auto_now_add / auto_now overwrite created_at and updated_at on insert: set the seeded ones."""
    from django.db import connection, transaction

    from corrigo.reports.models import Case

    db_value = connection.ops.adapt_datetimefield_value
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {Case._meta.db_table} SET created_at = %s, updated_at = %s WHERE id = %s",
            [(db_value(created), db_value(last), c.pk) for c, (created, last) in zip(cases, dates, strict=False)],
        )


def _analyze():
    """Fresh planner statistics; on PostgreSQL also the visibility map, as autovacuum would make it."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")


if __name__ == "__main__":
    arguments = parse_args(sys.argv[1:])
    setup()
    seed(arguments)
