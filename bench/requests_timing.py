"""What the in-process page benchmarks (desk_pages.py, corrections.py) share: counting a request's SQL, percentiles."""


class QueryCounter:
    """Counts the SQL statements of a request (an execute wrapper: no debug cursor, no logging)."""

    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]
