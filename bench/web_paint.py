"""What the Map page's paint is made of, measured in headless Chromium.

Target (issue 10): a 300-unit site's first legible view paints in at most 0.8 s warm. This script
serves the app on a free port with a temporary store holding generated
sites, opens ``/map?site=…`` in headless Chromium (the options of
``tests/conftest.py``) and times, from navigation start to the first
Cytoscape frame holding every node:

- the page and the Dash renderer's scripts (until it asks for ``_dash-layout``),
- ``_dash-layout`` and ``_dash-dependencies``,
- every ``_dash-update-component`` round trip before the paint: which outputs
  it fills, when it starts and ends, its response size, and how many *waves*
  of them there are (a wave waits for the one before it: each costs a round
  trip),
- the element payload, and Cytoscape's share: from the response carrying the
  elements to the first frame drawn with all of them.

A "cold" load has an empty browser cache (a user's first visit); "warm" is
the best of the following loads. Run: ``.venv/bin/python bench/web_paint.py
[--repeat N]``. It needs Chromium and chromedriver (see README).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from selenium import webdriver  # noqa: E402
from selenium.webdriver.chrome.options import Options  # noqa: E402

from integramap.model import Site  # noqa: E402
from integramap.layout.positions import arrange_site  # noqa: E402
from integramap import edit  # noqa: E402
from web import PAINT_TARGET, SHARED, local_site  # noqa: E402  (bench/web.py, the server-side benchmark)
from legibility import measure as legibility_of  # noqa: E402  (tests/legibility.py: what the browser shows)

CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
                 "--window-size=1280,900"]
"""As in tests/conftest.py, so the figures match what the browser tests see."""

PROBE = """
(function () {
  var wanted = %d;
  console.timeStamp('integramap-probe');  // marks the page's start in the browser's trace
  var T = window.__paint = {requests: [], canvasAt: null, cyAt: null, nodesAt: null, renderedAt: null};
  // Cytoscape's renderer asks for its canvases when the component mounts, before any element is added.
  var getContext = HTMLCanvasElement.prototype.getContext;
  HTMLCanvasElement.prototype.getContext = function () {
    if (T.canvasAt === null) { T.canvasAt = performance.now(); }
    return getContext.apply(this, arguments);
  };
  // Every request the Dash renderer makes: which outputs, what triggered it, when, how large.
  var realFetch = window.fetch;
  window.fetch = function (input, init) {
    var url = typeof input === 'string' ? input : input.url;
    if (url.indexOf('_dash-') < 0) { return realFetch.apply(this, arguments); }
    var rec = {path: url.replace(/^.*\\/(_dash-[^?]*).*$/, '$1'), start: performance.now(), end: null,
               bytes: 0, outputs: '', changed: []};
    try {
      if (init && init.body) {
        var body = JSON.parse(init.body);
        rec.outputs = body.output;
        rec.changed = body.changedPropIds;
      }
    } catch (e) {}
    T.requests.push(rec);
    return realFetch.apply(this, arguments).then(function (resp) {
      return resp.clone().text().then(function (text) {
        rec.bytes = text.length; rec.end = performance.now(); return resp;
      });
    });
  };
  // dash-cytoscape sets window.cy when the component mounts, after adding its first elements.
  var cyValue;
  Object.defineProperty(window, 'cy', {configurable: true, get: function () { return cyValue; },
    set: function (cy) {
      cyValue = cy;
      if (T.cyAt !== null) { return; }
      T.cyAt = performance.now();
      var added = cy.nodes().length;
      if (added >= wanted) { T.nodesAt = T.cyAt; }
      cy.on('add', 'node', function () {
        added += 1;
        if (added >= wanted && T.nodesAt === null) { T.nodesAt = performance.now(); }
      });
      // Cytoscape emits 'render' once it has drawn a frame.
      cy.on('render', function () {
        if (T.renderedAt === null && T.nodesAt !== null) {
          T.renderedAt = performance.now();
          console.timeStamp('integramap-painted');
        }
      });
    }});
})();
"""


@dataclass
class Load:
    """One page load's timeline, in ms from navigation start."""

    total: float
    boot: float
    layout_done: float
    requests: list[dict[str, Any]]
    elements_end: float
    elements_bytes: int
    canvas_at: float
    cy_at: float
    nodes_at: float
    main_cpu: float = 0.0
    """CPU time of the page's main thread (JavaScript, style, layout, canvas) until the paint."""
    server_cpu: float = 0.0
    """CPU time of the server process during the load."""
    cold: bool = False
    """The first load in a fresh browser profile: nothing cached."""
    legibility: str = ""
    """What the opening view shows, read from the browser (tests/legibility.py)."""

    @property
    def before_paint(self) -> list[dict[str, Any]]:
        return [r for r in self.requests if r["path"] == "_dash-update-component" and r["end"] is not None
                and r["start"] < self.nodes_at]

    @property
    def waves(self) -> int:
        """Sequential rounds of callback requests: a new wave starts when nothing else is in flight."""
        count, busy_until = 0, -1.0
        for r in sorted(self.before_paint, key=lambda r: r["start"]):
            if r["start"] >= busy_until:
                count += 1
            busy_until = max(busy_until, r["end"]) if r["start"] < busy_until else r["end"]
        return count


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


SERVE = """
import json, sys
from pathlib import Path
from integramap.model import Site
from integramap.store import Store
from integramap.web import create_app
from werkzeug.serving import make_server
store = Store(data_dir=Path(sys.argv[1]))
for path in sorted(Path(sys.argv[2]).glob("*.json")):
    store.save(Site.model_validate(json.loads(path.read_text())), author="Bench", message="bench", base=None)
make_server("127.0.0.1", int(sys.argv[3]), create_app(store).server, threaded=True).serve_forever()
"""
"""A server in its own process, as in use (and so that another source tree can be compared)."""


@dataclass
class Server:
    url: str
    pid: int

    def cpu(self) -> float:
        """CPU ms the server process has used so far (0 where /proc is not there)."""
        try:
            fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return 0.0
        return (int(fields[11]) + int(fields[12])) * 1000 / os.sysconf("SC_CLK_TCK")


@contextmanager
def serving(sites: list[Site], source: Path | None = None) -> Iterator[Server]:
    """The app serving ``sites`` on a free port; from ``source`` (a checkout) instead of this tree."""
    with tempfile.TemporaryDirectory() as tmp:
        files = Path(tmp) / "sites"
        files.mkdir()
        for site in sites:
            (files / f"{site.id}.json").write_text(json.dumps(site.model_dump(mode="json", exclude_none=True)))
        port = free_port()
        env = {**os.environ, "PYTHONPATH": str(source)} if source else None
        server = subprocess.Popen([sys.executable, "-c", SERVE, str(Path(tmp) / "store"), str(files), str(port)],
                                  env=env, cwd=source or Path(__file__).resolve().parents[1],
                                  stderr=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                    break
                except OSError:
                    if server.poll() is not None or time.monotonic() > deadline:
                        raise RuntimeError("the app did not start") from None
                    time.sleep(0.2)
            yield Server(f"http://127.0.0.1:{port}", server.pid)
        finally:
            server.terminate()
            server.wait(timeout=10)


def browser() -> webdriver.Chrome:
    """Headless Chromium that records a trace of its threads' tasks, with their CPU time."""
    options = Options()
    options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    for arg in CHROMIUM_ARGS:
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"performance": "ALL"})
    options.add_experimental_option("perfLoggingPrefs", {"traceCategories": "devtools.timeline,toplevel",
                                                         "enableNetwork": False, "enablePage": False})
    return webdriver.Chrome(options=options)


def trace_events(driver: webdriver.Chrome, until_mark: str, timeout: float = 15.0) -> list[dict[str, Any]]:
    """The trace events recorded since the last call, waiting until one marks ``until_mark``."""
    events: list[dict[str, Any]] = []
    deadline = time.monotonic() + timeout
    while True:
        for entry in driver.get_log("performance"):
            message = json.loads(entry["message"])["message"]
            if message["method"] == "Tracing.dataCollected":
                events.append(message["params"])
        if any(mark_of(e) == until_mark for e in events) or time.monotonic() > deadline:
            return events
        time.sleep(0.2)


def mark_of(event: dict[str, Any]) -> str | None:
    if event.get("name") != "TimeStamp":
        return None
    return str(event.get("args", {}).get("data", {}).get("message"))


def main_thread_cpu(events: list[dict[str, Any]]) -> float:
    """CPU ms of the page's main thread between the probe's start and paint marks.

    Wall-clock time on a machine shared with other work stretches with the load; the main
    thread's CPU time is what the page itself costs, and it is what this work can change.
    """
    painted = next((e for e in events if mark_of(e) == "integramap-painted"), None)
    if painted is None:
        return float("nan")
    thread = (painted["pid"], painted["tid"])
    start = max((e["ts"] for e in events if mark_of(e) == "integramap-probe"
                 and (e["pid"], e["tid"]) == thread and e["ts"] < painted["ts"]), default=None)
    if start is None:
        return float("nan")
    # Top-level events only (tasks, and the microtask checkpoints where promise callbacks run,
    # which the trace does not nest inside a task): nested events' time is inside their parent's.
    spans = sorted((e for e in events if e.get("ph") == "X" and "dur" in e and (e["pid"], e["tid"]) == thread),
                   key=lambda e: (e["ts"], -e["dur"]))
    cpu, covered_until = 0.0, float("-inf")
    for e in spans:
        begin, end = e["ts"], e["ts"] + e["dur"]
        if begin < covered_until:
            continue
        covered_until = end
        inside = min(end, painted["ts"]) - max(begin, start)
        if inside > 0:
            cpu += e.get("tdur", 0) * inside / max(end - begin, 1)
    return cpu / 1000


def load(driver: webdriver.Chrome, server: Server, site: Site, timeout: float = 30.0) -> Load:
    # The opening view shows what reads at its zoom (closed boxes count the rest), and the page
    # arrives with it: the first frame after Cytoscape mounts with any nodes is the legible view.
    url, nodes = f"{server.url}/map?site={site.id}", 1
    script = driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": PROBE % nodes})
    try:
        driver.get("about:blank")
        driver.get_log("performance")
        server_before = server.cpu()
        driver.get(url)
        deadline = time.monotonic() + timeout
        data: dict[str, Any] | None = None
        while time.monotonic() < deadline:
            data = driver.execute_script("return window.__paint && window.__paint.renderedAt !== null ? "
                                         "window.__paint : null;")
            if data:
                break
            time.sleep(0.05)
        if not data:
            raise RuntimeError(f"{url}: the map did not show {nodes} nodes within {timeout:.0f} s")
        time.sleep(0.3)  # let responses still in flight finish, to count them
        data = driver.execute_script("return window.__paint;")
        seen = legibility_of(driver, "map-cy")
        server_cpu = server.cpu() - server_before
        main_cpu = main_thread_cpu(trace_events(driver, "integramap-painted"))
    finally:
        driver.execute_cdp_cmd("Page.removeScriptToEvaluateOnNewDocument", {"identifier": script["identifier"]})
    requests = data["requests"]
    layout = [r for r in requests if r["path"] in ("_dash-layout", "_dash-dependencies")]
    carrying = [r for r in requests if r["end"] is not None and r["end"] <= data["nodesAt"]
                and ("map-cy.elements" in str(r["outputs"]) or r["path"] == "_dash-update-component"
                     and r["bytes"] > 5000 and "_pages_content" in str(r["outputs"]))]
    elements = max(carrying, key=lambda r: r["end"]) if carrying else {"end": data["nodesAt"], "bytes": 0}
    return Load(total=data["renderedAt"], boot=min(r["start"] for r in layout),
                layout_done=max(r["end"] for r in layout), requests=requests,
                elements_end=elements["end"], elements_bytes=elements["bytes"], nodes_at=data["nodesAt"],
                canvas_at=data["canvasAt"] or data["nodesAt"], cy_at=data["cyAt"] or data["nodesAt"],
                main_cpu=main_cpu, server_cpu=server_cpu, legibility=seen.summary() if seen else "")


def outputs_label(outputs: Any) -> str:
    text = str(outputs).strip(".")
    parts = [p for p in text.replace("...", "|").split("|") if p]
    shown = ", ".join(parts[:3])
    return shown + (f" (+{len(parts) - 3})" if len(parts) > 3 else "")


def report(label: str, loads: list[Load]) -> tuple[float, float]:
    """Print one site's figures; the best warm paint and the median main-thread CPU, in ms."""
    colds = [ld for ld in loads if ld.cold]
    warms = [ld for ld in loads if not ld.cold] or loads
    cold, warm = min(colds or loads, key=lambda ld: ld.total), min(warms, key=lambda ld: ld.total)
    print(f"{label}")
    for name, ld in ((f"cold, best of {len(colds)}", cold), (f"warm, best of {len(warms)}", warm)):
        print(f"  {name:<22} paint {ld.total:7.0f} ms   ratio to {PAINT_TARGET} s target "
              f"{ld.total / 1000 / PAINT_TARGET:.2f}")
    print(f"  {'warm, median':<22} paint {statistics.median(ld.total for ld in warms):7.0f} ms")
    print(f"  {'warm, median':<22} main-thread CPU until the paint {statistics.median(ld.main_cpu for ld in warms):5.0f} ms"
          f" (best {min(ld.main_cpu for ld in warms):.0f}); server CPU per load "
          f"{statistics.median(ld.server_cpu for ld in warms):.0f} ms")
    ld = warm
    print(f"  opening view: {ld.legibility}")
    calls = ld.before_paint
    print(f"  breakdown of the best warm load (ms from navigation start; phase length, then when it ends):")
    phases = [
        ("page and Dash renderer boot", ld.boot, "until _dash-layout is requested"),
        ("_dash-layout, _dash-dependencies", ld.layout_done, ""),
        ("callback round trips", ld.elements_end,
         f"{len(calls)} requests in {ld.waves} waves until the elements arrive, "
         f"{ld.elements_bytes / 1000:.1f} kB"),
    ]
    if ld.canvas_at > ld.elements_end:
        phases.append(("Dash/React render until Cytoscape mounts", ld.canvas_at, ""))
        phases.append(("Cytoscape add, style, preset layout, fit", ld.cy_at, ""))
        phases.append(("Cytoscape's first frame", ld.total, ""))
    else:
        phases.append(("Dash/React update until all nodes added", ld.nodes_at, "Cytoscape mounted before"))
        phases.append(("Cytoscape layout, fit, first frame", ld.total, ""))
    last = 0.0
    for name, end, note in phases:
        print(f"    {name:<42} {end - last:6.0f}  {end:6.0f}  {note}")
        last = max(last, end)
    print("    callback requests before the paint (start → end, response size, outputs ← trigger):")
    for r in sorted(calls, key=lambda r: r["start"]):
        print(f"      {r['start']:6.0f} → {r['end']:6.0f}  {r['bytes'] / 1000:7.1f} kB  {outputs_label(r['outputs'])}"
              f"  ← {', '.join(r['changed'] or []) or 'initial'}")
    late = [r for r in ld.requests if r["path"] == "_dash-update-component" and r["start"] >= ld.nodes_at]
    if late:
        print(f"    after the paint: {len(late)} more callback request(s): "
              + "; ".join(f"{outputs_label(r['outputs'])} ← {', '.join(r['changed'] or []) or 'initial'}"
                          for r in late))
    return warm.total, statistics.median(ld.main_cpu for ld in warms)


def placed(site: Site) -> Site:
    """The same site with every unit's position saved, as after Arrange and Save."""
    return edit.set_positions(site, arrange_site(site))


def measure(site: Site, server: Server, repeat: int) -> list[Load]:
    driver = browser()  # a fresh profile: the first load is cold
    try:
        loads = [load(driver, server, site) for _ in range(repeat)]
        loads[0].cold = True
        return loads
    finally:
        driver.quit()


def alternate(site: Site, here: Server, there: Server, repeat: int) -> tuple[list[Load], list[Load]]:
    """Loads from two servers taken in turn in one browser (two origins, so two caches): a busy
    machine slows both alike. The first load from each is cold."""
    driver = browser()
    try:
        ours: list[Load] = []
        theirs: list[Load] = []
        for _ in range(repeat):
            ours.append(load(driver, here, site))
            theirs.append(load(driver, there, site))
        ours[0].cold = theirs[0].cold = True
        return ours, theirs
    finally:
        driver.quit()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=6, help="loads per site (the first is cold)")
    parser.add_argument("--compare", type=Path, metavar="CHECKOUT",
                        help="also serve the app from another source tree (e.g. an exported older commit) "
                             "and alternate between the two, so a busy machine slows both alike")
    parser.add_argument("--only", choices=["p300", "u300", "p500", "national"], help="measure one of the sites only")
    args = parser.parse_args()
    if not shutil.which("chromedriver"):
        sys.exit("needs chromium and chromedriver (apt-get install chromium chromium-driver)")
    sites = {
        "300 units, positions saved": placed(local_site(300)).model_copy(update={"id": "p300"}),
        "300 units, never arranged": local_site(300, seed=3).model_copy(update={"id": "u300"}),
        "~2,000 elements (500 units), positions saved": placed(local_site(500, seed=4)).model_copy(
            update={"id": "p500"}),
    }
    lookup = SHARED / "nhs-reference" / "practice_pcn_lookup_2024.csv"
    if lookup.exists() and args.only in (None, "national"):
        from integramap.io.nhs import import_nhs
        sites["national import (every practice and PCN in England), never arranged"] = import_nhs(
            practices=lookup).model_copy(update={"id": "national"})
    if args.only:
        sites = {k: v for k, v in sites.items() if v.id == args.only}
    with ExitStack() as stack:
        here = stack.enter_context(serving(list(sites.values())))
        there = stack.enter_context(serving(list(sites.values()), args.compare)) if args.compare else None
        results: dict[str, tuple[float, float]] = {}
        for label, site in sites.items():
            elements = len(site.units) + len(site.links)
            title = f"{label}: {len(site.units)} units, {elements:,} elements"
            if there is None:
                results[label] = report(title, measure(site, here, args.repeat))
                continue
            ours, theirs = alternate(site, here, there, args.repeat)
            mine, other = report(title, ours), report(f"{title} — {args.compare}", theirs)
            results[label] = mine
            print(f"  this tree / {args.compare}: best warm paint {mine[0] / other[0]:.2f}, "
                  f"median main-thread CPU {mine[1] / other[1]:.2f}")
    print(f"summary (best warm paint, ratio to the {PAINT_TARGET} s target; median main-thread CPU): " +
          "; ".join(f"{k} {paint:.0f} ms {paint / 1000 / PAINT_TARGET:.2f}; {cpu:.0f} ms"
                    for k, (paint, cpu) in results.items()))


if __name__ == "__main__":
    main()
