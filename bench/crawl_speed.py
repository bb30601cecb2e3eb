"""Crawl speed: a generated 1,000-page site on loopback, crawled with throttling off, then extracted.

Prints pages/s for the crawl alone, the offline rebuild + extraction alone, and both together
(the goal is ≥ 50 pages/s including extraction). Usage: python bench/crawl_speed.py [PAGES]
"""

from __future__ import annotations

import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from scanner.campaign.crawl import Seed, run_crawl, site_targets
from scanner.extractors.page_text import PAGE_EXTRACTORS

SECTIONS = 10
UNTHROTTLED = {"DOWNLOAD_DELAY": 0, "AUTOTHROTTLE_ENABLED": False, "CONCURRENT_REQUESTS": 32,
               "CONCURRENT_REQUESTS_PER_DOMAIN": 16, "LOG_LEVEL": "WARNING"}


def page(n: int, links: list[str]) -> bytes:
    notice = "<p>本售楼处设有人脸识别摄像头，用于渠道判客。</p>" if n % 50 == 0 else ""
    body = "".join(f'<a href="{href}">项目{href}</a> ' for href in links)
    filler = "<p>阳光花园项目位于城市核心区，交通便利，配套齐全。</p>" * 20
    return (f"<html><head><meta charset='utf-8'><title>页面{n}</title></head><body><h1>页面{n}</h1>"
            f"{notice}{filler}{body}</body></html>").encode()


def build_site(pages: int) -> dict[str, bytes]:
    per_section = max(1, -(-(pages - 1 - SECTIONS) // SECTIONS))  # rounded up: at least `pages` pages
    site = {"/": page(0, [f"/s{s}/" for s in range(SECTIONS)]),
            "/robots.txt": b"User-agent: *\nAllow: /\n"}
    n = 1
    for s in range(SECTIONS):
        children = [f"/s{s}/p{i}.html" for i in range(per_section)]
        site[f"/s{s}/"] = page(n, children)
        n += 1
        for child in children:
            site[child] = page(n, ["/"])
            n += 1
    return site


def serve(site: dict[str, bytes]) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            body = site.get(self.path)
            self.send_response(200 if body is not None else 404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body or b"")))
            self.end_headers()
            self.wfile.write(body or b"")

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def main() -> None:
    pages = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    site = build_site(pages)
    server = serve(site)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        seed = Seed("bench", f"http://127.0.0.1:{server.server_address[1]}/")
        started = time.perf_counter()
        result = run_crawl([seed], out, max_pages=len(site) + 10, depth=3, settings_overrides=UNTHROTTLED)
        crawled = time.perf_counter()
        sites, _ = site_targets(out)
        evidence = [ev for s in sites for spec in PAGE_EXTRACTORS for ev in spec.run(s, [])]
        extracted = time.perf_counter()
        server.shutdown()
        captured = result.pages.get("bench", 0)
        crawl_s, extract_s, total_s = crawled - started, extracted - crawled, extracted - started
        print(f"site pages served      {len(site) - 1}")
        print(f"pages captured         {captured}  (errors: {len(result.errors)})")
        print(f"evidence items         {len(evidence)}")
        print(f"crawl                  {crawl_s:6.2f} s  {captured / crawl_s:7.1f} pages/s")
        print(f"rebuild + extraction   {extract_s:6.2f} s  {captured / extract_s:7.1f} pages/s")
        print(f"total                  {total_s:6.2f} s  {captured / total_s:7.1f} pages/s  (goal ≥ 50)")
        print(f"WARC size              {result.warc_path.stat().st_size / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
