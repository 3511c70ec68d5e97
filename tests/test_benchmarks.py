"""
`make bench` keeps its files in a temporary directory of its own, removed at the end, and uses
the ports it announces (BENCH_PORT and the next), refusing ports already in use.
"""

import socket
import tempfile
from pathlib import Path

import pytest

from benchmarks import run as bench
from benchmarks.private_postgres import free_port


def _free_ports():
    """The first of four free ports in a row: the two servers, Redis and nginx."""
    while True:
        port = free_port()
        if port < 65000 and all(bench.port_is_free(port + n) for n in (1, 2, 3)):
            return port


@pytest.fixture
def dry_run(monkeypatch, tmp_path):
    """The benchmark's steps, without a database, gunicorn or wrk: what each one was given."""
    seen = {"static roots": []}

    def manage(url, *args, static_root="", **extra):
        if "collectstatic" in args:
            seen["static roots"].append(Path(static_root))
            Path(static_root).mkdir(parents=True)

    def measure(url, command, *args, **extra):
        seen.setdefault("measured", []).append((command, *args))
        if command == "status":
            return {"cases": 1, "alerts": 1, "generated": True}
        if command == "cache-probe":
            return {"cached": True}
        if command == "staff-save":
            return {"name": "admin: staff save (case form)", "status": 302}
        return [{"name": "page", "bytes": 10}, {"name": "case page, 200 alerts", "bytes": 10}]

    def throughput(url, page_bytes, duration, *args):
        seen["throughput"] = args
        return {"static file": 1.0, "cached": 1.0, "uncached": 1.0}

    monkeypatch.setattr(bench.shutil, "which", lambda name: f"/usr/bin/{name}")
    monkeypatch.setattr(bench, "prepare", lambda url, cases: None)
    monkeypatch.setattr(bench, "manage", manage)
    monkeypatch.setattr(bench, "measure", measure)
    monkeypatch.setattr(bench, "throughput", throughput)
    monkeypatch.setattr(bench, "report", lambda *args: "report\n")
    monkeypatch.setenv("BENCH_OUTPUT", str(tmp_path / "results.md"))
    monkeypatch.setenv("BENCH_PORT", str(_free_ports()))
    return seen


def test_it_has_no_fixed_directory_that_another_run_would_share():
    """It used to delete and rewrite <temp>/observatory-benchmark-static, whoever used it."""
    assert not hasattr(bench, "STATIC_ROOT")


def test_each_run_has_a_temporary_directory_of_its_own_removed_at_the_end(
    dry_run, monkeypatch, tmp_path
):
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temporary))
    bench.main()
    bench.main()
    first, second = dry_run["static roots"]
    assert first != second
    assert first.parent.parent == temporary
    assert first.parent.name.startswith("observatory-bench-")
    assert list(temporary.iterdir()) == []  # both removed


def test_it_says_which_ports_it_uses_and_uses_them(dry_run, monkeypatch, capsys):
    port = int(bench.os.environ["BENCH_PORT"])
    bench.main()
    out = capsys.readouterr().out
    assert all(f"127.0.0.1:{port + n}" in out for n in range(4))  # servers, Redis, nginx
    assert dry_run["throughput"][1] == [port, port + 1, port + 2, port + 3]


def test_a_port_in_use_stops_it_with_a_message(dry_run, monkeypatch):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        monkeypatch.setenv("BENCH_PORT", str(taken.getsockname()[1]))
        with pytest.raises(SystemExit, match="is in use: set BENCH_PORT"):
            bench.main()


def test_a_malformed_port_stops_it_with_a_message(dry_run, monkeypatch):
    monkeypatch.setenv("BENCH_PORT", "http")
    with pytest.raises(SystemExit, match="BENCH_PORT must be a port number"):
        bench.main()


def test_bench_only_measures_the_pages_it_names_and_no_throughput(dry_run, monkeypatch, tmp_path):
    monkeypatch.setenv("BENCH_ONLY", "API:")
    monkeypatch.setattr(bench, "latency_report", lambda *args: "latency\n")
    bench.main()
    assert ("counts", "API:") in dry_run["measured"] and ("latency", "API:") in dry_run["measured"]
    assert "throughput" not in dry_run
    assert (tmp_path / "results.md").read_text().startswith("latency")
