"""Seed a desk benchmark: 100,000 reports in 50,000 cases on one site (or a million), loaded in bulk.

Makes a site `bench` with 5,000 articles (one ~4 KB text each, a second version for
the re-anchored ones), 50,000 cases spread over the last 90 days (about 60 % open,
the rest closed with every outcome; fact/typo/other; some "looks fixed", some
assigned, most closed ones and some open ones first acted on within three days), and
100,000 reports (readers per case from a long-tailed spread) with suggestions,
comments, languages and emails. Articles have titles ending in the site's name, and
most a section and an author; the site log has a line for each closed case. An editor
`bench-editor` (password `bench-password`) is a member. `--million`: 1,000,000 reports in
400,000 cases on 40,000 articles over two years (issue 14).

Rows are generated as the models' columns (corrigo.sql.columns) with their ids given, and
loaded with COPY on PostgreSQL and executemany on SQLite, in one transaction.

    CORRIGO_DATA=/tmp/corrigo-bench python bench/desk_seed.py               # SQLite
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/corrigo_bench python bench/desk_seed.py
    CORRIGO_DATA=/tmp/corrigo-million python bench/desk_seed.py --million

The database is migrated first; an earlier `bench` site is deleted and made anew (through
the ORM, which is slow at a million: seed the million into a fresh database).
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
DAYS = 90
# A national newsroom's archive of two years: ten times the reports, eight times the cases.
MILLION = {"cases": 400_000, "reports": 1_000_000, "articles": 40_000, "days": 730}
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
    parser.add_argument("--days", type=int, default=DAYS, help="cases are first reported over this many days")
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument(
        "--million",
        action="store_true",
        help=f"{MILLION['reports']:,} reports in {MILLION['cases']:,} cases over {MILLION['days']} days (issue 14)",
    )
    args = parser.parse_args(argv)
    if args.million:
        for name, value in MILLION.items():
            setattr(args, name, value)
    return args


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
    """Every case has one reader; the extra readers go to a few cases, long-tailed (the busiest
    about 25 whatever the size: the spread's mean grows with the number of cases)."""
    counts = [1] * cases
    order = list(range(cases))
    rng.shuffle(order)
    spread = 0.06 * cases
    for _ in range(reports - cases):
        counts[order[min(int(rng.expovariate(1 / spread)), cases - 1)]] += 1
    return counts


def seed(args):
    from django.contrib.auth.models import User
    from django.db import transaction
    from django.utils import timezone

    from corrigo import audit
    from corrigo.articles.models import Article, ArticleVersion
    from corrigo.audit.models import Entry, Verb
    from corrigo.reports import search
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
        people = [user.pk for user in (*helpers, editor)]

        first_article = _next_id(Article)
        article_ids = range(first_article, first_article + args.articles)
        _load(
            Article,
            (
                (
                    pk,
                    {
                        "site_id": site.pk,
                        "identity": hashlib.sha256(f"bench-{n}".encode()).hexdigest(),
                        "url": f"https://bench.example/{n}",
                        "title": f"Story {n}: " + " ".join(rng.choices(WORDS, k=6)) + " — Bench Daily",
                        "section": rng.choice(SECTIONS),
                        "author": rng.choice(AUTHORS),
                    },
                    {},
                )
                for n, pk in enumerate(article_ids)
            ),
            now,
        )
        texts = [article_text(rng, n) for n in range(args.articles)]
        first_version = _next_id(ArticleVersion)
        version_of = {a: first_version + n for n, a in enumerate(article_ids)}
        # A later text for a third of the articles: their cases carry an anchor state.
        later_of = {a: first_version + args.articles + n for n, a in enumerate(article_ids[::3])}
        _load(
            ArticleVersion,
            [
                (version_of[a], {"article_id": a, "text": t, "text_hash": hashlib.sha256(t.encode()).hexdigest()}, {})
                for a, t in zip(article_ids, texts, strict=True)
            ]
            + [
                (
                    later_of[a],
                    {
                        "article_id": a,
                        "text": t.replace("August", "Augest"),
                        "text_hash": hashlib.sha256((t + "v2").encode()).hexdigest(),
                    },
                    {},
                )
                for a, t in list(zip(article_ids, texts, strict=True))[::3]
            ],
            now,
        )
        print(f"articles: {args.articles} ({time.perf_counter() - started:.1f} s)", flush=True)

        counts = readers_per_case(rng, args.cases, args.reports)
        statuses = (
            [CaseStatus.OPEN] * 12
            + [CaseStatus.FIXED] * 4
            + [CaseStatus.NOT_ERROR, CaseStatus.WONT_FIX, CaseStatus.SPAM, CaseStatus.DUPLICATE]
        )
        # What the reports and the site log need of each case (the rows themselves are not kept).
        cases = []
        first_case = _next_id(Case)

        def case_rows():
            for n in range(args.cases):
                pk = first_case + n
                article = article_ids[rng.randrange(args.articles)]
                text = texts[article - first_article]
                start = rng.randrange(0, len(text) - 40)
                end = start + rng.randint(3, 30)
                created = now - timedelta(seconds=rng.randrange(args.days * 24 * 3600))
                last = min(now, created + timedelta(seconds=rng.randrange(3 * 24 * 3600))) if counts[n] > 1 else created
                category = rng.choice(["fact", "typo", "typo", "other", ""])
                status = rng.choice(statuses)
                closed = status != CaseStatus.OPEN
                acted = created + timedelta(seconds=rng.randrange(3 * 24 * 3600)) if closed or rng.random() < 0.3 else None
                acted = min(acted, now) if acted else None
                anchor = later_of.get(article)
                anchor_status = rng.choice([AnchorStatus.UNCHANGED, AnchorStatus.CHANGED, AnchorStatus.GONE]) if anchor else ""
                exact, prefix, suffix = text[start:end], text[max(0, start - 32) : start], text[end : end + 32]
                resolved = None if status == CaseStatus.OPEN else max(acted, last)
                cases.append(
                    (
                        pk,
                        article,
                        version_of[article],
                        exact,
                        prefix,
                        suffix,
                        start,
                        end,
                        category,
                        created,
                        last,
                        status,
                        resolved,
                    )
                )
                yield (
                    pk,
                    {
                        "site_id": site.pk,
                        "article_id": article,
                        "status": status,
                        "category": category,
                        "version_id": version_of[article],
                        "exact": exact,
                        "prefix": prefix,
                        "suffix": suffix,
                        "start": start,
                        "end": end,
                        "anchor_status": anchor_status,
                        "anchor_version_id": anchor if anchor_status and anchor_status != "gone" else None,
                        "anchor_start": start if anchor_status in ("unchanged", "changed") else None,
                        "anchor_end": end if anchor_status in ("unchanged", "changed") else None,
                        "anchor_checked_at": now if anchor_status else None,
                        "report_count": counts[n],
                        "reader_count": counts[n],
                        "last_reported_at": last,
                        "assignee_id": rng.choice(people) if rng.random() < 0.15 else None,
                        "priority": case_priority(counts[n], category, last),
                        "resolved_at": resolved,
                        "first_action_at": acted,
                    },
                    # auto_now_add / auto_now would stamp them all "now": the seeded times instead.
                    {"created_at": created, "updated_at": last},
                )

        _load(Case, case_rows(), now)
        print(f"cases: {len(cases)} ({time.perf_counter() - started:.1f} s)", flush=True)

        first_report = _next_id(Report)

        def report_rows():
            serial = 0
            for (pk, article, version, exact, prefix, suffix, start, end, category, created, last, *_), count in zip(
                cases, counts, strict=True
            ):
                for i in range(count):
                    serial += 1
                    yield (
                        first_report + serial - 1,
                        {
                            "uid": f"b{serial:011d}",
                            "site_id": site.pk,
                            "case_id": pk,
                            "article_id": article,
                            "version_id": version,
                            "client_report_id": f"bench-{serial:08d}",
                            "url": f"https://bench.example/{article}",
                            "exact": exact,
                            "prefix": prefix,
                            "suffix": suffix,
                            "start": start,
                            "end": end,
                            "suggestion": rng.choice(SUGGESTIONS),
                            "category": category,
                            # Some comments name a paragraph: a search for one finds a few dozen cases.
                            "comment": rng.choice(COMMENTS)
                            or (f"See paragraph {rng.randrange(2000)}." if rng.random() < 0.5 else ""),
                            "email": f"reader{serial}@example.net" if rng.random() < 0.3 else "",
                            "language": rng.choice(LANGUAGES),
                        },
                        # The first reader's time is the case's; the others' fall between it and the last report.
                        {"created_at": created if i == 0 else created + (last - created) * rng.random()},
                    )

        reports = _load(Report, report_rows(), now)
        print(f"reports: {reports} ({time.perf_counter() - started:.1f} s)", flush=True)

        # The site log: a line for each closed case, as the desk would have written it.
        first_line = _next_id(Entry)

        def log_rows():
            serial = 0
            for pk, *_, status, resolved in cases:
                if status != CaseStatus.OPEN:
                    line = audit.entry(site, editor, Verb.CASE_STATUS, case=pk, before=CaseStatus.OPEN, after=status)
                    line.created_at = resolved
                    yield first_line + serial, _values_of(line), {}
                    serial += 1

        lines = _load(Entry, log_rows(), now)
        print(f"site log: {lines} lines ({time.perf_counter() - started:.1f} s)", flush=True)
    # What the worker's periodic job would do next: the search index on SQLite (decision 0039).
    if indexed := search.catch_up():
        print(f"search index: {indexed} reports ({time.perf_counter() - started:.1f} s)", flush=True)
    _analyze()
    print(f"seeded site 'bench' in {time.perf_counter() - started:.1f} s", flush=True)


def _next_id(model):
    from django.db.models import Max

    return (model.objects.aggregate(top=Max("pk"))["top"] or 0) + 1


def _values_of(instance):
    from corrigo.sql import values_of

    return values_of(instance)


def _load(model, rows, now, chunk=5000):
    """Bulk-load `(id, values, seeded)` rows of `model`: COPY on PostgreSQL, executemany on SQLite.

    The columns come from the model (corrigo.sql.columns): what `values` leaves out is filled
    as the model would; `seeded` overrides the columns the model sets itself (auto_now).
    The ids are given, so later rows can point at earlier ones without reading anything back.
    Answers the number of rows.
    """
    from itertools import islice

    from django.db import connection, models

    from corrigo.sql import columns

    table = columns(model)
    names = ["id", *table.fields]
    position = {name: index for index, name in enumerate(names)}
    # Only these need the database's form of the value (datetimes on SQLite, JSON everywhere).
    prepare = [
        (position[name], field.get_db_prep_save)
        for name, field in table.fields.items()
        if isinstance(field, models.DateTimeField | models.JSONField)
    ]
    column_list = ", ".join(connection.ops.quote_name(model._meta.get_field(name).column) for name in names)
    written = 0

    def prepared():
        nonlocal written
        for pk, values, seeded in rows:
            row = [pk, *table.row(values, now)]
            for name, value in seeded.items():
                row[position[name]] = value
            for index, prep in prepare:
                if row[index] is not None:
                    row[index] = prep(row[index], connection)
            written += 1
            yield row

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table.table} ({column_list}) FROM STDIN") as copy:
                for row in prepared():
                    copy.write_row(row)
            # The ids were given: the table's identity sequence must carry on after them.
            cursor.execute(f"SELECT setval(pg_get_serial_sequence(%s, 'id'), (SELECT MAX(id) FROM {table.table}))", [table.table])
        else:
            sql = f"INSERT INTO {table.table} ({column_list}) VALUES ({', '.join(['%s'] * len(names))})"
            pending = prepared()
            while batch := list(islice(pending, chunk)):
                cursor.executemany(sql, batch)
    return written


def _analyze():
    """Fresh planner statistics; on PostgreSQL also the visibility map, as autovacuum would make it."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")


if __name__ == "__main__":
    arguments = parse_args(sys.argv[1:])
    setup()
    seed(arguments)
