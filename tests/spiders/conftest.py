"""A small web of property companies served on loopback (127.0.0.x) by the tests themselves.

Each company has its own address, so "another company's host" is a different host, as on the
real web. Every request each server receives is logged (host, path) so tests can prove what the
crawler never asked for.
"""

from __future__ import annotations

import socket
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from support.pdf import one_page_pdf

from scanner.campaign.crawl import CrawlResult, Seed, run_crawl

Page = tuple[int, dict[str, str], bytes]
MALFORMED = -1  # status meaning "answer with raw bytes that are not an HTTP response"
SLEEP = "X-Fixture-Sleep"  # header meaning "wait this many seconds before answering"
HTML = "text/html; charset=utf-8"
TEST_MAXSIZE = 100_000  # the crawl test's page size limit; /big.html is larger
APK_FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "apks"
NOT_AN_APK = b"PK\x03\x04 not really an apk"
APK_TYPE = "application/vnd.android.package-archive"


def html(title: str, body: str) -> bytes:
    return f"<!doctype html><html><head><meta charset='utf-8'><title>{title}</title></head><body>{body}</body></html>".encode()


class QuietServer(ThreadingHTTPServer):
    """A client that gives up (timeouts, size limits) resets the connection: expected, not a traceback."""

    def handle_error(self, request: object, client_address: object) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


@dataclass
class FixtureSite:
    """One company's web server on its own loopback address."""

    ip: str
    pages: dict[str, Page] = field(default_factory=dict)
    log: list[tuple[str, str]] = field(default_factory=list)
    user_agents: set[str] = field(default_factory=set)
    server: ThreadingHTTPServer | None = None

    @property
    def base(self) -> str:
        assert self.server is not None
        return f"http://{self.ip}:{self.server.server_address[1]}"

    def start(self) -> None:
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                site.log.append((self.headers.get("Host", ""), self.path))
                site.user_agents.add(self.headers.get("User-Agent", ""))
                status, headers, body = site.pages.get(self.path, (404, {"Content-Type": HTML}, html("404", "没有这个页面")))
                if status == MALFORMED:
                    self.wfile.write(body)  # not HTTP at all
                    return
                time.sleep(float(headers.get(SLEEP, 0)))
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.server = QuietServer((self.ip, 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()

    def requested(self, path: str) -> bool:
        return any(p == path for _, p in self.log)


def ok(body: bytes, content_type: str = HTML) -> Page:
    return 200, {"Content-Type": content_type}, body


def loopback_available(ip: str) -> bool:
    try:
        with socket.socket() as s:
            s.bind((ip, 0))
        return True
    except OSError:
        return False


@dataclass
class FixtureWeb:
    developer: FixtureSite  # sales office, policy, GBK, PDF, APK, redirects, form, traps
    property_mgr: FixtureSite  # face-only community notice
    community: FixtureSite  # community notice with card / QR alternatives
    refused_url: str  # a seed whose host refuses connections
    dns_fail_url: str  # a seed whose name does not resolve

    def seeds(self) -> list[Seed]:
        return [
            Seed("阳光地产", self.developer.base + "/", "苏州", {"credit_code": "91320500TEST00001"}),
            Seed("幸福物业", self.property_mgr.base + "/", "苏州"),
            Seed("和谐家园", self.community.base + "/", "无锡"),
            Seed("关门公司", self.refused_url, "无锡"),
            Seed("无名公司", self.dns_fail_url),
        ]

    def stop(self) -> None:
        for site in (self.developer, self.property_mgr, self.community):
            site.stop()


@dataclass(frozen=True)
class Apps:
    """The package each company's site offers for download (None: that site links no app)."""

    developer: bytes = NOT_AN_APK  # at /app/yangguang.apk
    property_mgr: bytes | None = None  # at /app/xingfu.apk
    community: bytes | None = None  # at /app/hexie.apk


def app_link(path: str, app: bytes | None) -> str:
    return f'<a href="{path}">下载App</a>' if app is not None else ""


def build_developer(site: FixtureSite, other_base: str, app: bytes = NOT_AN_APK) -> None:
    home = f"""
    <script>var banner = "本售楼处已启用人脸识别抓拍";</script>
    <style>.x:after{{content:"人脸识别"}}</style>
    <div style="display:none">营销中心人脸识别摄像头用于判客</div>
    <nav><a href="/notice/sales.html">售楼处公告</a> <a href="/notice/statement.html">案场声明</a>
    <a href="/privacy.html">隐私政策</a> <a href="/private/secret.html">内部</a>
    <a href="/gbk.html">项目公示</a> <a href="/docs/notice.pdf">告知书(PDF)</a>
    <a href="/app/yangguang.apk">下载App</a> <a href="/old">旧项目页</a> <a href="/missing.html">已删除</a>
    <a href="/loop-a">循环</a> <a href="/register.html">看房登记</a>
    <a href="/big.html">大页面</a> <a href="/broken.html">出错页</a> <a href="/garbage">乱码</a> <a href="/slow.html">慢页面</a>
    <a href="{other_base}/from-developer.html">合作伙伴</a></nav>"""
    sales = """<h1>售楼处到访须知</h1><p>尊敬的客户：为做好到访管理，本售楼处入口设有人脸识别摄像头，到访客户将被抓拍人脸。</p>
    <p>采集的人脸信息用于渠道判客及佣金结算。</p><p>咨询电话 13912345678。</p>"""
    statement = """<h1>案场声明</h1><p>本售楼处不采集人脸信息。</p><p>样板间未安装人脸识别设备。</p>"""
    gbk = ("<html><head><meta charset='gbk'><title>项目公示</title></head><body>"
           "<p>阳光花园项目公示：营销中心设有人脸识别设备，用于客户识别。</p></body></html>").encode("gbk")
    form = """<h1>看房预约登记</h1><form action="/submit" method="post">
    <label for="n">姓名</label><input id="n" name="realname">
    <label for="i">身份证号</label><input id="i" name="idcard">
    <label>人脸照片 <input type="file" name="photo" accept="image/*"></label>
    <input type="hidden" name="channel" value="x"><button type="submit">提交</button></form>"""
    site.pages.update({
        "/": ok(html("阳光地产", home)),
        "/robots.txt": ok(b"User-agent: *\nDisallow: /private/\n", "text/plain"),
        "/notice/sales.html": ok(html("售楼处到访须知", sales)),
        "/notice/statement.html": ok(html("案场声明", statement)),
        "/privacy.html": ok(html("隐私政策", "<h1>阳光地产隐私政策</h1><p>我们重视您的个人信息保护。</p>")),
        "/private/secret.html": ok(html("内部", "内部资料")),
        "/gbk.html": ok(gbk, "text/html"),
        "/docs/notice.pdf": ok(one_page_pdf("项目告知书：本案场设有人脸识别摄像头，用于精准营销。"), "application/pdf"),
        "/app/yangguang.apk": ok(app, APK_TYPE),
        "/old": (301, {"Location": "/moved.html"}, b""),
        "/moved.html": ok(html("项目介绍", "<p>阳光花园项目介绍。</p>")),
        "/loop-a": (302, {"Location": "/loop-b"}, b""),
        "/loop-b": (302, {"Location": "/loop-a"}, b""),
        "/register.html": ok(html("看房预约", form)),
        "/big.html": ok(html("大页面", "人脸识别" * (TEST_MAXSIZE // 4))),
        "/broken.html": (500, {"Content-Type": HTML}, html("500", "服务器错误")),
        "/garbage": (MALFORMED, {}, b"\x00\x01 this is not http\r\n\r\n"),
        "/slow.html": (200, {"Content-Type": HTML, SLEEP: "2.5"}, html("慢", "慢页面")),
    })


def build_property_mgr(site: FixtureSite, developer_base: str, app: bytes | None = None) -> None:
    notice = "<h1>关于小区门禁系统升级的通知</h1><p>各位业主：即日起本小区仅支持刷脸进出，不再支持刷卡。</p>"
    links = (f'<a href="/notice/door.html">通知公告</a> <a href="{developer_base}/only-from-b.html">友情链接</a>'
             + app_link("/app/xingfu.apk", app))
    site.pages.update({
        "/": ok(html("幸福物业", links)),
        "/notice/door.html": ok(html("门禁升级通知", notice)),
    })
    if app is not None:
        site.pages["/app/xingfu.apk"] = ok(app, APK_TYPE)


def build_community(site: FixtureSite, app: bytes | None = None) -> None:
    notice = ("<h1>和谐家园小区人脸识别门禁启用公告</h1><p>小区已启用人脸识别门禁。</p>"
              "<p>业主可继续使用门禁卡或二维码开门；访客请通过二维码登记进入。</p>")
    site.pages.update({
        "/": ok(html("和谐家园", '<a href="/notice.html">公告</a>' + app_link("/app/hexie.apk", app))),
        "/notice.html": ok(html("门禁启用公告", notice)),
    })
    if app is not None:
        site.pages["/app/hexie.apk"] = ok(app, APK_TYPE)


def closed_port(ip: str) -> int:
    with socket.socket() as s:
        s.bind((ip, 0))
        return s.getsockname()[1]  # closed again on exit: connecting there is refused


def serve_fixture_web(apps: Apps = Apps()) -> Iterator[FixtureWeb]:
    """Start the three company servers, yield the web, stop them (the body of a fixture)."""
    ips = ["127.0.0.2", "127.0.0.3", "127.0.0.4"]
    if not all(loopback_available(ip) for ip in ips):
        pytest.skip("this machine cannot bind 127.0.0.x addresses other than 127.0.0.1")
    web = FixtureWeb(FixtureSite(ips[0]), FixtureSite(ips[1]), FixtureSite(ips[2]),
                     f"http://127.0.0.5:{closed_port('127.0.0.5')}/", "http://nonexistent.invalid/")
    for site in (web.developer, web.property_mgr, web.community):
        site.start()
    build_developer(web.developer, web.property_mgr.base, apps.developer)
    build_property_mgr(web.property_mgr, web.developer.base, apps.property_mgr)
    build_community(web.community, apps.community)
    yield web
    web.stop()


@pytest.fixture(scope="module")
def fixture_web() -> Iterator[FixtureWeb]:
    yield from serve_fixture_web()


@pytest.fixture(scope="module")
def app_web() -> Iterator[FixtureWeb]:
    """The web whose developer offers a face-door app with a policy silent on faces, whose community
    offers an app whose policy covers faces, and whose property manager offers a broken package."""
    yield from serve_fixture_web(Apps(developer=(APK_FIXTURES / "facedoor.apk").read_bytes(),
                                      property_mgr=NOT_AN_APK,
                                      community=(APK_FIXTURES / "facepolicy.apk").read_bytes()))


FAST = {"DOWNLOAD_DELAY": 0, "AUTOTHROTTLE_ENABLED": False, "RETRY_TIMES": 0, "DOWNLOAD_TIMEOUT": 1.5,
        "CONCURRENT_REQUESTS_PER_DOMAIN": 8, "DOWNLOAD_MAXSIZE": TEST_MAXSIZE}


@dataclass
class Crawled:
    web: FixtureWeb
    out: Path
    result: CrawlResult
    progress: list[tuple[str, str]]


@pytest.fixture(scope="module")
def crawled(fixture_web: FixtureWeb, tmp_path_factory: pytest.TempPathFactory) -> Crawled:
    out = tmp_path_factory.mktemp("crawl-out")
    progress: list[tuple[str, str]] = []
    result = run_crawl(fixture_web.seeds(), out, max_pages=30, depth=3, scan_apps=True,
                       settings_overrides=FAST, contact="audit@example.org",
                       progress=lambda company, message: progress.append((company, message)))
    return Crawled(fixture_web, out, result, progress)

