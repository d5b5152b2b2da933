"""Benchmark: refusing the 105 KB workbook that unpacks to one 100 MB cell, from the CLI and the upload.

Run as ``.venv/bin/python bench/hostile.py [--check]``.

The bomb is written by ``tests/fixtures/hostile/make_hostile.py``. Each refusal
runs in a fresh process, measured as its peak resident memory (``ru_maxrss``)
and time, beside a baseline process that imports the same modules and reads a
small valid workbook (the fixed allowance any run pays). Prints the extra
memory over the baseline against the target of 10× the file's size, and as its
last line ``ratio <refusal time / baseline time>``. ``--check`` exits 1 when
the extra memory is over the target or a refusal takes over 10 s.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

_RUN = r"""
import base64, json, resource, sys, time
from pathlib import Path
from integramap.cli import main
from integramap.web.common.upload import upload_to_site
from integramap.model import SiteError
mode, path, out = sys.argv[1], Path(sys.argv[2]), sys.argv[3]
start = time.perf_counter()
message = ""
if mode == "cli":
    code = main(["import", "table", str(path), "-o", out])
else:
    data = "data:application/octet-stream;base64," + base64.b64encode(path.read_bytes()).decode()
    try:
        upload_to_site(data, path.name)
        code = 0
    except SiteError as err:
        code, message = 1, err.render()
elapsed = time.perf_counter() - start
print(json.dumps({"code": code, "seconds": elapsed, "peak_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                  "message_chars": len(message)}))
"""


def measure(mode: str, path: Path, out: Path) -> dict[str, float]:
    done = subprocess.run([sys.executable, "-c", _RUN, mode, str(path), str(out)], capture_output=True, text=True,
                          cwd=ROOT, check=False)
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    result["stderr_chars"] = len(done.stderr)
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT / "tests" / "fixtures" / "hostile"))
    import make_hostile

    with tempfile.TemporaryDirectory() as folder:
        corpus = make_hostile.make_all(Path(folder) / "hostile")
        bomb, good = corpus["bomb.xlsx"][0], corpus["stale-dimension.xlsx"][0]
        size = bomb.stat().st_size
        out = Path(folder) / "out.yaml"
        failed = False
        ratios: list[float] = []
        for mode in ("cli", "upload"):
            base = measure(mode, good, out)
            hit = measure(mode, bomb, out)
            extra = (hit["peak_kb"] - base["peak_kb"]) * 1024
            target = 10 * size
            print(f"{mode}: bomb ({size / 1e3:.0f} KB on disk, 105 MB unpacked) refused with exit {hit['code']} "
                  f"in {hit['seconds']:.2f} s (a valid workbook: {base['seconds']:.2f} s, both with first imports); peak {hit['peak_kb'] / 1024:.0f} MB against "
                  f"{base['peak_kb'] / 1024:.0f} MB reading a valid workbook: {extra / 1e6:+.1f} MB "
                  f"(target under {target / 1e6:.1f} MB); message {hit['message_chars'] or hit['stderr_chars']:.0f} "
                  "characters")
            failed |= hit["code"] != 1 or extra > target or hit["seconds"] > 10
            ratios.append(hit["seconds"] / base["seconds"])
        print(f"ratio {max(ratios):.1f}")
    return 1 if args.check and failed else 0


if __name__ == "__main__":
    sys.exit(main())
