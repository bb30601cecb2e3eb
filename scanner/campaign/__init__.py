"""Everything that spans many targets: batches with worker processes and limits, the SQLite store,
leads, follow-up diffs and crawl orchestration. Rendering of their outputs lives in reports/."""
