"""Profile of parsing articles as an upload and the bulk import do — `parse_document` and
`index_text` in this process over corpus articles — `python -m bench.parse_profile [N]`.

The ingest rows of `make bench` time the whole paths; this shows where a parse goes
(pyinstrument, after one warm-up parse that loads the lazy tables)."""

from __future__ import annotations

import sys
import time

from pyinstrument import Profiler

from bench import corpus


def main(n: int) -> str:
    from bot.articles.parse import parse_document
    from bot.search.analysis import index_text

    docs = list(corpus.articles(n, 1))
    parse_document(docs[0].data, docs[0].name)
    profiler = Profiler(interval=0.0005)
    profiler.start()
    t0 = time.perf_counter()
    for a in docs:
        parsed = parse_document(a.data, a.name)
        index_text(parsed.title)
        index_text(parsed.body)
    rate = n / (time.perf_counter() - t0)
    profiler.stop()
    return f"{n} articles, {rate:.0f}/s under the profiler\n" + str(
        profiler.output_text(unicode=False, color=False)
    )


if __name__ == "__main__":
    print(main(int(sys.argv[1]) if len(sys.argv) > 1 else 300))
