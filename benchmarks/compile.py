"""Compile + write an N-service platform: charon vs cdk8s (Python) vs plain dicts + PyYAML C dumper.

For each N the benchmark generates a platform (web services with storage, some with the lifecycle
agent, some plain), compiles it once in-process and dumps every file of the tree as plain JSON
dicts. Then, in one run and as separate processes so imports count:

  charon  `charon render platform.yaml -o DIR` (load, validate, compile, policy, render)
  cdk8s   a cdk8s app that builds the same objects as ApiObjects (one Chart per unit) and synths
  floor   a script that loads the same dicts and writes them with yaml.CSafeDumper, same layout

Each is timed wall-clock (whole process) with its peak RSS (sum over the process tree, sampled,
and at least the kernel's ru_maxrss); the median of --repeat runs is reported. See README.md.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import yaml

from charon.cli import pipeline
from charon.render import render_files
from charon.render.layout import plan_tree

HERE = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent
# cdk8s's jsii runtime prints a banner about the Node version on every start; it is not ours.
os.environ.setdefault("JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION", "1")
TIERS = ("0-core", "1-cluster", "2-gpu", "3-edge", "4-aux")
SERVICES_PER_CATEGORY = 20


# --------------------------------------------------------------------------------------------------
# the platform


def platform_doc(n: int, layout: str = "unit") -> dict:
    categories = {
        f"cat{i}": {"tier": TIERS[i % len(TIERS)], "owners": ["group:platform-admins"]}
        for i in range(max(1, (n + SERVICES_PER_CATEGORY - 1) // SERVICES_PER_CATEGORY))
    }
    services = {}
    for i in range(n):
        svc: dict = {
            "category": f"cat{i // SERVICES_PER_CATEGORY}",
            "image": f"registry.example.com/app{i % 37}:1.{i % 9}.{i % 5}",
            "port": 8080 + i % 7,
            "resources": {
                "requests": {"cpu": "50m", "memory": "64Mi"},
                "limits": {"memory": "256Mi"},
            },
            "env": {"LOG_LEVEL": "info", "APP_ID": f"app-{i}"},
        }
        kind = i % 10
        if kind in (0, 1, 2):  # plain
            svc["kind"] = "plain"
        else:  # web; most with storage, every third with the lifecycle agent
            if kind in (3, 4, 5, 6):
                sensitivity = "sensitive" if kind in (3, 4) else "normal"
                svc["storage"] = {
                    "data": {"size": "5Gi", "mountPath": "/data", "sensitivity": sensitivity}
                }
            if kind in (3, 6, 9):
                svc["lifecycle"] = True
        services[f"svc-{i:04d}"] = svc
    services["headscale"] = {
        "category": "core",
        "kind": "plain",
        "image": "headscale/headscale:0.26.1",
        "port": 8080,
        "args": ["serve"],
        "exposure": "public",
        "auth": {"mode": "app", "reason": "The enrollment endpoint; clients present keys."},
        "storage": {
            "data": {"size": "1Gi", "mountPath": "/var/lib/headscale", "sensitivity": "sensitive"}
        },
        "resources": {"requests": {"cpu": "50m", "memory": "64Mi"}},
    }
    categories["core"] = {"tier": "0-core", "owners": ["group:platform-admins"]}
    return {
        "apiVersion": "charon.dev/v1alpha1",
        "kind": "Platform",
        "metadata": {"name": "bench"},
        "cluster": {
            "domain": "example.com",
            "storageClasses": {"default": "standard", "encrypted": "encrypted"},
            "tls": {"issuer": "letsencrypt", "issuerKind": "ClusterIssuer"},
        },
        "vpn": {"headscale": {"url": "https://headscale.example.com"}},
        "dns": {
            "provider": "rfc2136",
            "zone": "example.com",
            "rfc2136": {"server": "10.0.0.53", "keyName": "charon"},
        },
        "identity": {"forwardAuth": {"url": "https://auth.example.com/oauth2/auth"}},
        "categories": categories,
        "services": services,
        "sops": {"ageRecipients": ["age1" + "q" * 58]},
        "gitops": {"path": "clusters/bench", "layout": layout},
    }


def prepare(n: int, work: Path, layout: str) -> tuple[Path, Path, list[str]]:
    """Write platform.yaml (policy-clean) and objects.json; returns them and any waived rules."""
    doc = platform_doc(n, layout)
    spec_path = work / "platform.yaml"
    waived: list[str] = []
    for _ in range(3):
        spec_path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
        checked = pipeline.check_file(spec_path)
        blocking = sorted({f.rule for f in checked.findings if f.blocks})
        if not blocking:
            break
        # A rule that flags the generated platform is a policy question, not a speed question.
        waived += blocking
        doc["waivers"] = [
            {"rule": r, "reason": "benchmark platform: measured for speed only"} for r in waived
        ]
    else:
        raise SystemExit(f"N={n}: the generated platform still has policy errors: {blocking}")
    files = plan_tree(checked.compiled)
    assert set(render_files(checked.compiled)) - set(files) == {"charon-render.json"}
    # Every YAML file of the tree as its list of documents (raw files are not used here).
    dicts = {
        path: list(yaml.load_all(content, Loader=yaml.CSafeLoader))
        for path, content in files.items()
    }
    objects_path = work / "objects.json"
    objects_path.write_text(json.dumps({"files": dicts}), encoding="utf-8")
    return spec_path, objects_path, waived


# --------------------------------------------------------------------------------------------------
# the two peers, as scripts (separate processes, so their imports count like charon's do)

FLOOR = """
import json, sys
from pathlib import Path
import yaml

doc = json.loads(Path(sys.argv[1]).read_text())
out = Path(sys.argv[2])
for rel, objs in doc["files"].items():
    path = out / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"---\\n".join(
        yaml.dump(obj, Dumper=yaml.CSafeDumper, sort_keys=True, default_flow_style=False,
                  allow_unicode=True, encoding="utf-8")
        for obj in objs))
"""

CDK8S = """
import json, sys
from pathlib import Path
from cdk8s import ApiObject, ApiObjectMetadata, App, Chart, JsonPatch, YamlOutputType

doc = json.loads(Path(sys.argv[1]).read_text())
# One chart per unit, written in the layout charon and the floor write: one multi-document file
# per chart (layout "unit", cdk8s's own default) or one folder per chart and file per object.
output = {"unit": YamlOutputType.FILE_PER_CHART,
          "object": YamlOutputType.FOLDER_PER_CHART_FILE_PER_RESOURCE}[sys.argv[3]]
app = App(outdir=sys.argv[2], yaml_output_type=output)
charts = {}
for rel, objs in doc["files"].items():
    if not rel.startswith("units/") or rel.endswith("/kustomization.yaml"):
        continue
    unit = rel.split("/")[1]
    chart = charts.get(unit) or charts.setdefault(unit, Chart(app, unit))
    for i, obj in enumerate(objs):
        meta = obj.get("metadata", {})
        api = ApiObject(
            chart,
            f"{rel.rsplit('/', 1)[1]}-{i}",
            api_version=obj["apiVersion"],
            kind=obj["kind"],
            metadata=ApiObjectMetadata(
                name=meta.get("name"),
                namespace=meta.get("namespace"),
                labels=meta.get("labels"),
                annotations=meta.get("annotations"),
            ),
        )
        for key, value in obj.items():
            if key not in ("apiVersion", "kind", "metadata"):
                api.add_json_patch(JsonPatch.add("/" + key, value))
app.synth()
"""


# --------------------------------------------------------------------------------------------------
# measuring


def _tree_hwm(root: int, peaks: dict[int, int]) -> None:
    """Record VmHWM (peak RSS since exec) of ``root`` and its descendants into ``peaks``.

    ru_maxrss is useless here: a forked child inherits the parent's high-water mark, and the
    parent holds the compiled platform. VmHWM belongs to the exec'd image only.
    """
    children: dict[int, list[int]] = {}
    hwm: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/status", encoding="ascii", errors="replace") as fh:
                ppid = kb = 0
                for line in fh:
                    if line.startswith("PPid:"):
                        ppid = int(line.split()[1])
                    elif line.startswith("VmHWM:"):
                        kb = int(line.split()[1])
        except OSError:
            continue
        children.setdefault(ppid, []).append(int(entry))
        hwm[int(entry)] = kb
    todo = [root]
    while todo:
        pid = todo.pop()
        peaks[pid] = max(peaks.get(pid, 0), hwm.get(pid, 0))
        todo += children.get(pid, [])


def measure(cmd: list[str], cwd: Path) -> tuple[float, float, int]:
    """Wall seconds, CPU seconds (user + sys, children included) and peak RSS (KiB) of a run."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peaks: dict[int, int] = {}
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            _tree_hwm(proc.pid, peaks)
            done.wait(0.005)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    # Wait without reaping, so the last sample still sees the finished process's VmHWM.
    os.waitid(os.P_PID, proc.pid, os.WEXITED | os.WNOWAIT)
    wall = time.perf_counter() - start
    done.set()
    sampler.join()
    _tree_hwm(proc.pid, peaks)
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode() if proc.stderr else ""
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{err}")
    return wall, usage.ru_utime + usage.ru_stime, sum(peaks.values())


def run_size(n: int, root: Path, repeat: int, with_cdk8s: bool, layout: str) -> dict:
    work = root / f"n{n}"
    work.mkdir(parents=True)
    spec, objects, waived = prepare(n, work, layout)
    (work / "floor.py").write_text(FLOOR, encoding="utf-8")
    (work / "cdk8s_app.py").write_text(CDK8S, encoding="utf-8")
    charon = str(BIN / "charon")
    cmds = {
        "charon": [charon, "render", str(spec), "-o", str(work / "out-charon")],
        "floor": [sys.executable, "floor.py", str(objects), str(work / "out-floor")],
    }
    if with_cdk8s:
        cdk8s_out = str(work / "out-cdk8s")
        cmds["cdk8s"] = [sys.executable, "cdk8s_app.py", str(objects), cdk8s_out, layout]
    results: dict = {"n": n, "waived": waived}
    n_objects = json.loads(objects.read_text())["files"]
    results["files"] = len(n_objects)
    for name, cmd in cmds.items():
        walls, cpus, rsss = [], [], []
        for _ in range(repeat if name != "cdk8s" or n <= 500 else 1):
            shutil.rmtree(work / f"out-{name}", ignore_errors=True)
            wall, cpu, rss = measure(cmd, work)
            walls.append(wall)
            cpus.append(cpu)
            rsss.append(rss)
        results[name] = (statistics.median(walls), statistics.median(cpus), max(rsss))
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="N = 10, 100; one run each")
    parser.add_argument("--sizes", default="10,100,500,1000")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-cdk8s", action="store_true", help="skip the cdk8s peer")
    parser.add_argument("--keep", type=Path, help="keep the generated trees in this directory")
    parser.add_argument(
        "--layout",
        choices=("unit", "object"),
        default="unit",
        help="gitops.layout of the generated platform; every peer writes the same layout",
    )
    args = parser.parse_args()
    sizes = [10, 100] if args.quick else [int(s) for s in args.sizes.split(",")]
    repeat = 1 if args.quick else args.repeat
    with_cdk8s = not args.no_cdk8s
    if with_cdk8s and importlib.util.find_spec("cdk8s") is None:
        print(
            "cdk8s is not installed (pip install -c requirements.lock -e '.[bench]'); skipping it",
            file=sys.stderr,
        )
        with_cdk8s = False
    root = Path(tempfile.mkdtemp(prefix="charon-bench-")) if args.keep is None else args.keep
    rows = []
    try:
        for n in sizes:
            rows.append(run_size(n, root, repeat, with_cdk8s, args.layout))
            print_row(rows[-1], header=len(rows) == 1)
    finally:
        if args.keep is None:
            shutil.rmtree(root, ignore_errors=True)
    waived = sorted({r for row in rows for r in row["waived"]})
    if waived:
        print(f"\nwaived on the generated platform (policy, not speed): {', '.join(waived)}")
    return 0


def print_row(row: dict, header: bool) -> None:
    peers = ("charon", "cdk8s", "floor")
    if header:
        cols = " | ".join(f"{p + ' wall':>12} {'cpu':>6} {'MiB':>5}" for p in peers)
        print(f"{'N':>5} {'files':>6} | {cols} | {'cdk8s/charon':>13} | {'charon/floor':>13}")
        print(f"{'':>12} | {'':>56} | {'wall':>6} {'cpu':>6} | {'wall':>6} {'cpu':>6}")
    cells = []
    for p in peers:
        r = row.get(p)
        cells.append(
            f"{r[0]:12.2f} {r[1]:6.2f} {r[2] / 1024:5.0f}" if r else f"{'-':>12} {'-':>6} {'-':>5}"
        )
    c, k, f = row["charon"], row.get("cdk8s"), row["floor"]
    vs_k = f"{k[0] / c[0]:5.1f}x {k[1] / c[1]:5.1f}x" if k else f"{'-':>6} {'-':>6}"
    vs_f = f"{c[0] / f[0]:5.2f}x {c[1] / f[1]:5.2f}x"
    print(f"{row['n']:>5} {row['files']:>6} | {' | '.join(cells)} | {vs_k} | {vs_f}", flush=True)


if __name__ == "__main__":
    sys.exit(main())
