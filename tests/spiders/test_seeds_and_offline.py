"""Seeds in (CSV, YAML, bare URLs, bad rows) and captures out (missing or damaged), no network."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scanner.campaign.crawl import Seed, load_seeds, run_crawl, site_targets
from scanner.errors import InputError


def test_csv_seeds_keep_extra_columns_and_report_bad_rows(tmp_path: Path) -> None:
    seeds_csv = tmp_path / "seeds.csv"
    seeds_csv.write_text(
        "name,url,region,credit_code\n"
        "阳光地产,https://www.yg.cn/,苏州,913205\n"
        "无网址,,苏州,\n"
        "坏网址,ftp://x.cn/,苏州,\n"
        "阳光地产,https://other.cn/,苏州,\n"
        "重复网址,https://www.yg.cn,苏州,\n"
        ",http://noname.cn/,,\n",
        encoding="utf-8")
    seeds, errors = load_seeds([str(seeds_csv)])
    assert seeds == [Seed("阳光地产", "https://www.yg.cn/", "苏州", {"credit_code": "913205"}),
                     Seed("noname.cn", "http://noname.cn/")]
    problems = [e.message for e in errors]
    assert problems[0] == "row 3: no url"
    assert problems[1].startswith("row 4: url 'ftp://x.cn/' must start with http")
    assert problems[2].startswith("row 5: duplicate company '阳光地产'")
    assert problems[3].startswith("row 6: duplicate url")
    assert all(e.input == str(seeds_csv) and e.stage == "seeds" for e in errors)


def test_gbk_csv_with_chinese_headers(tmp_path: Path) -> None:
    path = tmp_path / "seeds.csv"
    path.write_bytes("公司,官网,城市\n和谐家园,http://hx.cn/,无锡\n".encode("gbk"))
    seeds, errors = load_seeds([str(path)])
    assert errors == [] and seeds == [Seed("和谐家园", "http://hx.cn/", "无锡")]


def test_yaml_seeds_and_bare_urls(tmp_path: Path) -> None:
    path = tmp_path / "seeds.yaml"
    path.write_text("seeds:\n  - {name: 甲, url: 'http://a.cn/', region: 苏州, contact: x}\n", encoding="utf-8")
    seeds, errors = load_seeds([str(path), "https://b.cn/home", "not-a-url", "http://"])
    assert [s.name for s in seeds] == ["甲", "b.cn"] and seeds[0].extra == {"contact": "x"}
    assert [e.message for e in errors] == ["neither an http(s) URL nor an existing seed file",
                                           "url 'http://' has no host"]


@pytest.mark.parametrize("name,content,problem", [
    ("bad.yaml", "seeds: [1, 2", "not valid YAML"),
    ("list.yaml", "just text", "expected a list"),
    ("nourl.csv", "name,site_name\n甲,乙\n", "no url column"),
    ("empty.csv", "", "no url column"),
])
def test_unusable_seed_files_are_one_error_each(tmp_path: Path, name: str, content: str, problem: str) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    seeds, errors = load_seeds([str(path)])
    assert seeds == [] and len(errors) == 1 and problem in errors[0].message


def test_run_crawl_rejects_unusable_options(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no seeds"):
        run_crawl([], tmp_path)
    with pytest.raises(InputError, match="max_pages"):
        run_crawl([Seed("a", "http://a.cn/")], tmp_path, max_pages=0)
    with pytest.raises(InputError, match="plain JSON"):
        run_crawl([Seed("a", "http://a.cn/")], tmp_path, settings_overrides={"X": object()})


def test_site_targets_without_captures_or_with_a_damaged_index(tmp_path: Path) -> None:
    sites, errors = site_targets(tmp_path)
    assert sites == [] and "no capture index" in errors[0].message
    captures = tmp_path / "captures"
    captures.mkdir()
    line = {"kind": "error", "company": "甲", "url": "http://a.cn/", "final_url": "http://a.cn/", "status": 0,
            "error": "DNS lookup failed", "crawl_id": "1", "warc_file": "", "warc_offset": -1}
    (captures / "index.jsonl").write_text(json.dumps(line) + "\n{not json\n", encoding="utf-8")
    sites, errors = site_targets(tmp_path)
    assert [s.label for s in sites] == ["甲"] and sites[0].problems == ("http://a.cn/: DNS lookup failed",)
    assert [e.message for e in errors][0].startswith("index line 2 unreadable")
