"""benchmarks/bench.py prints the issue's targets with met/missed per row, from what it measured."""
import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def load_bench():
    spec = importlib.util.spec_from_file_location("asr_bench", ROOT / "benchmarks" / "bench.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def row(phase, n=10, wall=10.0, trips=1, tasks=4, runs=None, nbytes=0, rc=0, failed=()):
    return {"phase": phase, "n": n, "wall": wall, "module_round_trips_per_host": trips, "task_results_per_host": tasks,
            "vendor_runs_per_host": runs or {}, "installer_bytes_per_host": nbytes, "rc": rc,
            "failed_hosts": list(failed)}


def test_every_target_row_says_met_missed_or_not_measured():
    bench = load_bench()
    rows = [row("floor", wall=10.0, trips=2, tasks=2), row("first", wall=40.0, trips=11, tasks=44,
                                                           runs={"install": 1.0}, nbytes=100),
            row("rerun", wall=6.0)]
    found = {(what, n): (value, verdict) for what, n, value, _limit, verdict in bench.targets(rows)}
    assert found[("converged rerun (Linux): module round trips per host, facts included", 10)] == ("1", "met")
    assert found[("converged rerun (Linux): wall × the facts+ping floor", 10)] == ("0.60", "met")
    assert found[("first deploy (Linux): module round trips per host", 10)] == ("11", "missed")
    assert found[("first deploy (Linux): task results per host", 10)] == ("44.0", "missed")
    assert found[("converged rerun (Windows): module round trips per host", "-")][1] == "not measured"
    assert all(v in ("met", "missed", "not measured") for v in (x[1] for x in found.values()))
    table = bench.targets_table(rows)
    assert "| first deploy (Linux): module round trips per host | 10 | 11 | ≤ 4 | missed |" in table


def test_a_failed_run_never_meets_a_target():
    bench = load_bench()
    rows = [row("floor"), row("rerun", wall=1.0, rc=2, failed=["h001"])]
    assert {verdict for what, n, _v, _l, verdict in bench.targets(rows) if n == 10} == {"missed"}


def test_the_windows_row_is_measured_when_the_contract_run_gave_a_count():
    bench = load_bench()
    rows = [row("floor"), row("rerun")]
    windows = "converged rerun (Windows): module round trips per host"
    assert [v for what, _n, _m, _l, v in bench.targets(rows, 8) if what == windows] == ["missed"]
    assert [v for what, _n, _m, _l, v in bench.targets(rows, 2) if what == windows] == ["met"]
    assert [(m, v) for what, _n, m, _l, v in bench.targets(rows, "the contract run failed: x") if what == windows] == [
        ("the contract run failed: x", "not measured")]
