import sqlite3
from pathlib import Path

import pytest
from campaign_fakes import TOOL, make_target

from scanner.campaign.store import STORE_SCHEMA_VERSION, StoreError, open_store


def test_round_trip_rebuilds_the_report(tmp_path: Path) -> None:
    db = tmp_path / "c.sqlite"
    targets = [make_target("幸福家园", company="甲物业"), make_target("智慧社区", alternatives=("card", "qr"))]
    with open_store(db) as store:
        run = store.start_run("spring", {"paths": ["/apps"], "lang": "zh"}, tool=TOOL)
        for t in targets:
            store.save_target(run, t.to_dict())
        store.save_error(run, uri="/apps/broken.apk", sha256="ab" * 32, kind="apk", stage="open", message="/apps/broken.apk: not a zip")
        store.finish_run(run)
    with open_store(db) as store:
        report = store.report_dict(run)
        assert store.done_shas(run) == {t.sha256 for t in targets} | {"ab" * 32}
        assert store.runs("spring")[0].targets_done == 2 and store.runs("spring")[0].targets_failed == 1
        counts = store._read("SELECT count(*) FROM results WHERE run_id = ? AND outcome = 'FAIL'", (run,))
    assert report["tool"]["rules"] == TOOL["rules"]
    assert report["lang"] == "zh" and report["generated_at"]
    expected = sorted((t.to_dict() for t in targets), key=lambda d: (d["kind"], d["uri"], d["id"]))
    assert report["targets"] == expected
    assert report["errors"] == [{"stage": "open", "message": "/apps/broken.apk: not a zip", "input": "/apps/broken.apk"}]
    assert counts[0][0] == 2
    assert list(report) == ["schema_version", "generated_at", "lang", "tool", "targets", "errors"]


def test_unfinished_run_is_resumed_and_finished_run_is_not(tmp_path: Path) -> None:
    with open_store(tmp_path / "c.sqlite") as store:
        first = store.start_run("c", {"paths": ["a"]}, tool=TOOL)
        assert store.start_run("c", {"paths": ["a"]}, tool=TOOL) == first
        assert store.start_run("c", {"paths": ["b"]}, tool=TOOL) != first  # other args: another run
        assert store.start_run("other", {"paths": ["a"]}, tool=TOOL) != first  # other campaign
        store.finish_run(first)
        assert store.start_run("c", {"paths": ["a"]}, tool=TOOL) != first


def test_saving_a_target_twice_replaces_it(tmp_path: Path) -> None:
    target = make_target("门禁")
    with open_store(tmp_path / "c.sqlite") as store:
        run = store.start_run("c", {}, tool=TOOL)
        store.save_target(run, target.to_dict())
        store.save_target(run, target.to_dict())
        assert len(store.report_dict(run)["targets"]) == 1
        assert store._read("SELECT count(*) FROM results")[0][0] == len(target.results)


def test_old_schema_is_migrated_keeping_data(tmp_path: Path) -> None:
    db = tmp_path / "old.sqlite"
    with open_store(db) as store:
        pass
    # Rebuild the database as the first schema version wrote it.
    db.unlink()
    conn = sqlite3.connect(db, isolation_level=None)
    from scanner.campaign.store import MIGRATIONS

    for statement in MIGRATIONS[0]:
        conn.execute(statement)
    conn.execute("INSERT INTO meta VALUES ('schema_version', '1')")
    conn.execute("INSERT INTO campaigns (name, created_at) VALUES ('old', '2024-01-01')")
    conn.execute("INSERT INTO runs (campaign_id, started_at, tool_version, ruleset_sha256, args) VALUES (1, 'x', '0.1', 'abc', '{}')")
    conn.close()
    with open_store(db) as store:
        assert store.schema_version() == STORE_SCHEMA_VERSION > 1
        assert store.runs("old")[0].ruleset_sha256 == "abc"
        assert store.report_dict(1)["tool"]["rules"] == []  # the column added by the migration


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "new.sqlite"
    with open_store(db):
        pass
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    conn.close()
    with pytest.raises(StoreError, match=r"new\.sqlite: database schema version 99 is newer"):
        open_store(db)


@pytest.mark.parametrize("content", [b"this is not a database at all\n" * 200, b"SQLite format 3\x00" + b"\xff" * 5000])
def test_garbage_file_is_a_clear_error(tmp_path: Path, content: bytes) -> None:
    db = tmp_path / "garbage.sqlite"
    db.write_bytes(content)
    with pytest.raises(StoreError) as caught:
        open_store(db)
    message = str(caught.value)
    assert "garbage.sqlite" in message and "\n" not in message


def test_foreign_sqlite_file_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "foreign.sqlite"
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE notes (x)")
    conn.commit()
    conn.close()
    with pytest.raises(StoreError, match="not a Fangcun database"):
        open_store(db)


def test_locked_database_times_out_with_a_clear_error(tmp_path: Path) -> None:
    db = tmp_path / "busy.sqlite"
    with open_store(db):
        pass
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        with open_store(db, timeout=0.2) as store, pytest.raises(StoreError, match=r"busy\.sqlite: database is locked"):
            store.start_run("c", {}, tool=TOOL)
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def test_directory_is_not_a_database(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="is a directory"):
        open_store(tmp_path)
