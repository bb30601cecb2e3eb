"""`python -m spiders.run JOB.json`: run ONE crawl in this process (Scrapy's reactor cannot restart).

The job file is written by `scanner.campaign.crawl.run_crawl`. Progress goes to stdout as JSON lines
{"company", "message"} for the parent to relay live; Scrapy's own log goes to the job's log file.
Exit status: 0 when the crawl ran (failed pages are data in the index), 2 for an unusable job file.
"""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path
from typing import Any

from scrapy.crawler import CrawlerProcess

from spiders.crawlers.company import CompanySpider
from spiders.settings import build_settings


class ProgressLines(logging.Handler):
    """Relays `fangcun.progress` records to stdout, one JSON object per line."""

    def emit(self, record: logging.LogRecord) -> None:
        line = {"company": getattr(record, "company", ""), "message": record.getMessage()}
        sys.stdout.write(json.dumps(line, ensure_ascii=False) + "\n")
        sys.stdout.flush()


def crawl(job: dict[str, Any]) -> None:
    settings = build_settings(
        max_pages=int(job["max_pages"]),
        depth=int(job["depth"]),
        scan_apps=bool(job["scan_apps"]),
        contact=str(job.get("contact", "")),
        overrides=job.get("settings", {}),
    )
    settings.update(
        FANGCUN_WARC_PATH=job["warc_path"],
        FANGCUN_INDEX_PATH=job["index_path"],
        FANGCUN_APPS_DIR=job["apps_dir"],
        FANGCUN_CRAWL_ID=job["crawl_id"],
        LOG_FILE=job["log_path"],
    )
    progress = logging.getLogger("fangcun.progress")
    progress.addHandler(ProgressLines())
    progress.setLevel(logging.INFO)
    process = CrawlerProcess(settings)
    process.crawl(CompanySpider, seeds=job["seeds"])
    process.start()


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        sys.stderr.write("usage: python -m spiders.run JOB.json\n")
        return 2
    try:
        job = json.loads(Path(argv[0]).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        sys.stderr.write(f"{argv[0]}: unreadable crawl job ({exc})\n")
        return 2
    crawl(job)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
