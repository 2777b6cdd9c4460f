"""Cold apply and no-op re-apply of a 200-service platform: `charon apply` vs `kubectl apply
--server-side`, on fresh real control planes, in one run.

The platform is the one benchmarks/compile.py generates. Both tools get the same objects: charon
compiles platform.yaml itself; kubectl reads the compiled objects written as rendered files, the
cluster definitions (namespaces, priority classes) first so kubectl's file order works. Each tool
gets its own fresh control plane (etcd + kube-apiserver, no controllers: this measures the apply)
with the same pinned CRDs installed beforehand. Both run as separate processes, timed
wall-clock; writes are counted from the API server's audit log (create/update/patch/delete
requests that are not dry runs, by the admin user).

    .venv/bin/python benchmarks/apply.py [--services 200] [--rounds 3]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent / "tests")]

from compile import prepare  # noqa: E402  (benchmarks/compile.py: the generated platform)

from charon.cli import pipeline  # noqa: E402
from charon.cluster.ordering import is_cluster_definition  # noqa: E402
from peers import cache_dir  # noqa: E402
from peers.kube import ControlPlane  # noqa: E402


def writes(cp: ControlPlane, marker: str) -> int:
    return sum(1 for e in cp.mutating_requests(marker) if "dryRun=" not in e.get("requestURI", ""))


def server_cpu(cp: ControlPlane) -> float:
    """CPU seconds used so far by the API server and etcd (the work both tools cause)."""
    total = 0.0
    for name, proc, _log in cp._procs:  # the testbed's own process list
        if name in ("kube-apiserver", "etcd"):
            fields = Path(f"/proc/{proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def timed(cmd: list[str]) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the tool's own process)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd[:3])} failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return elapsed, cpu


def install_crds(cp: ControlPlane) -> None:
    dirs = sorted(p for p in (cache_dir() / "testbed" / "crds").glob("*-v*") if p.is_dir())
    args = ["apply", "--server-side", "--force-conflicts", "--field-manager=bench-setup"]
    for d in dirs:
        args += ["-f", str(d)]
    cp.kubectl(*args)
    cp.kubectl("wait", "--for=condition=Established", "--timeout=120s", "crd", "--all")


def run_tool(name: str, root: Path, cmd: list[str]) -> dict[str, float | int | str]:
    cp = ControlPlane(root / name, with_workloads=False)
    cp.start()
    try:
        install_crds(cp)
        full = [a.replace("{kubeconfig}", str(cp.kubeconfig)) for a in cmd]
        marker, server = cp.audit_marker(), server_cpu(cp)
        cold, cold_cpu = timed(full)
        cold_server = server_cpu(cp) - server
        cold_writes = writes(cp, marker)
        marker = cp.audit_marker()
        noop, _ = timed(full)
        return {"tool": name, "cold_s": cold, "cold_writes": cold_writes, "noop_s": noop,
                "noop_writes": writes(cp, marker), "tool_cpu": cold_cpu,
                "server_cpu": cold_server}  # fmt: skip
    finally:
        cp.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--services", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3,
                        help="fresh control planes per tool; the table shows medians")  # fmt: skip
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="charon-bench-apply-"))
    spec, _objects, waived = prepare(args.services, root, "unit")
    compiled = pipeline.check_file(spec).compiled
    objects = compiled.objects()
    rendered = root / "rendered"
    rendered.mkdir()
    first = [o for o in objects if is_cluster_definition(o)]
    rest = [o for o in objects if not is_cluster_definition(o)]
    for name, batch in (("00-definitions.yaml", first), ("10-objects.yaml", rest)):
        (rendered / name).write_text("".join("---\n" + json.dumps(o) + "\n" for o in batch))
    kubectl = str(cache_dir() / "testbed" / "bin" / "kubectl")
    tools = {
        "charon": [sys.executable, "-m", "charon", "apply", str(spec),
                   "--kubeconfig", "{kubeconfig}", "--no-wait"],
        "kubectl": [kubectl, "--kubeconfig={kubeconfig}", "apply", "--server-side",
                    "--field-manager=bench", "-f", str(rendered)],
    }  # fmt: skip
    runs: dict[str, list[dict[str, float | int | str]]] = {name: [] for name in tools}
    for n in range(args.rounds):  # alternate, so a slow spell of the machine hits both tools
        for name, cmd in tools.items():
            (root / f"{name}-{n}").mkdir()
            runs[name].append(run_tool(f"{name}-{n}", root, cmd))
    print(f"{args.services} services, {len(objects)} objects, {args.rounds} round(s), medians"
          + (f" (waived for the benchmark: {', '.join(waived)})" if waived else ""))  # fmt: skip
    print(f"{'tool':<8} {'cold s':>7} {'cold writes':>12} {'no-op s':>8} {'no-op writes':>13} "
          f"{'cold cpu: tool':>15} {'api+etcd':>9}")  # fmt: skip
    med: dict[str, dict[str, float]] = {}
    for name, results in runs.items():
        keys = ("cold_s", "noop_s", "tool_cpu", "server_cpu", "cold_writes", "noop_writes")
        m = med[name] = {k: statistics.median([float(r[k]) for r in results]) for k in keys}
        print(f"{name:<8} {m['cold_s']:>7.2f} {m['cold_writes']:>12.0f} {m['noop_s']:>8.2f} "
              f"{m['noop_writes']:>13.0f} {m['tool_cpu']:>15.2f} "
              f"{m['server_cpu']:>9.2f}")  # fmt: skip
    print("cold s per round: " + "; ".join(
        f"{name} " + " ".join(f"{float(r['cold_s']):.2f}" for r in results)
        for name, results in runs.items()))  # fmt: skip
    print(f"cores: {os.cpu_count()} (the API server, etcd and the tool share them)")
    ours, theirs = med["charon"], med["kubectl"]
    floor = ours["server_cpu"] / (os.cpu_count() or 1)
    print(f"cold: charon is {theirs['cold_s'] / ours['cold_s']:.2f}x kubectl (target >= 3x); "
          f"no-op writes: charon {ours['noop_writes']:.0f}, kubectl {theirs['noop_writes']:.0f} "
          "(target 0)")  # fmt: skip
    print(f"bound: the API server and etcd alone need {ours['server_cpu']:.2f} CPU-s for charon's "
          f"cold apply, so no client can finish it in under {floor:.2f} s on "
          f"{os.cpu_count()} cores ({theirs['cold_s'] / floor:.2f}x kubectl)")  # fmt: skip


if __name__ == "__main__":
    main()
