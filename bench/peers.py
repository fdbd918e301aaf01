"""Install the peer tools on demand into bench/.peers/, never into the project venv.

* `bench/.peers/venv`: openapi-python-client (with the ruff it formats with),
  datamodel-code-generator (generates the pydantic v2 and msgspec models),
  pydantic, msgspec, python-dateutil (quicktype's Python output imports it) and
  httpx (the generated clients' runtime imports it), so the parse benchmark can
  import every contender in one interpreter.
* `bench/.peers/npm`: quicktype (reads Postman collections with
  `--src-lang postman`) and postman2openapi (Postman -> OpenAPI, the first half
  of the path users take today with openapi-python-client).

Versions are pinned so ratios compare across runs; black is pinned to the
project's own version, so both generators pay for the same formatter. A
stamp file records what was installed; a second run installs nothing.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import venv
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

from measure import BENCH, say, tail

# BENCH_PEERS moves the install (e.g. to share one across clones).
PEERS = Path(os.environ.get("BENCH_PEERS") or BENCH / ".peers").resolve()
PY_PEERS = [
    "openapi-python-client==0.29.1",
    "datamodel-code-generator==0.89.0",
    "pydantic==2.14.3",
    "msgspec==0.22.0",
    "python-dateutil==4.0.0",
    "httpx>=0.27",
]
NODE_PEERS = ["quicktype@26.0.0", "postman2openapi@1.2.1"]
INSTALL_TIMEOUT = 600


@dataclass(slots=True)
class Peers:
    """Where the peers live; `None` for a tool that could not be installed."""

    python: Path | None = None  # the peers venv interpreter
    datamodel_codegen: Path | None = None
    openapi_python_client: Path | None = None
    quicktype: Path | None = None
    postman2openapi: Path | None = None  # the npm package folder (a library, run by p2o.js)
    modules: set[str] = field(default_factory=set)  # importable in `python`

    @property
    def parse_python(self) -> str:
        """The interpreter for the parse benchmark (the project's if the venv failed)."""
        return str(self.python) if self.python else sys.executable


def ensure_peers() -> Peers:
    """Install (or find) every peer; print one clear line for each that is missing."""
    peers = Peers()
    _python_peers(peers)
    _node_peers(peers)
    return peers


def _python_requirements() -> list[str]:
    try:
        black = f"black=={metadata.version('black')}"
    except metadata.PackageNotFoundError:
        black = "black"
    return [*PY_PEERS, black]


def _python_peers(peers: Peers) -> None:
    root = PEERS / "venv"
    python = root / "bin" / "python"
    wanted = _python_requirements()
    stamp = root / ".bench-installed"
    if not (python.exists() and _read(stamp) == json.dumps(wanted)):
        say(f"  installing Python peers into {_show(root)} ...")
        complete = _install_python(root, python, wanted)
        if not python.exists():
            return
        if complete:
            stamp.write_text(json.dumps(wanted))
    peers.python = python
    peers.modules = _importable(python, ["datamodel_code_generator", "openapi_python_client",
                                         "pydantic", "msgspec", "dateutil", "httpx"])
    tool = root / "bin" / "datamodel-codegen"
    if tool.exists() and "datamodel_code_generator" in peers.modules:
        peers.datamodel_codegen = tool
    else:
        say("  PEER MISSING: datamodel-code-generator is not usable; its rows are skipped")
    tool = root / "bin" / "openapi-python-client"
    if tool.exists() and "openapi_python_client" in peers.modules:
        peers.openapi_python_client = tool
    else:
        say("  PEER MISSING: openapi-python-client is not usable; its rows are skipped")


def _install_python(root: Path, python: Path, wanted: list[str]) -> bool:
    """A fresh venv plus `pip install`; on failure, try each package alone.

    True when everything installed (the stamp is then written, so the next
    run skips pip); False when something is missing (the next run tries again).
    """
    try:
        if not python.exists():
            venv.EnvBuilder(with_pip=True, clear=True).create(root)
    except Exception as exc:  # noqa: BLE001 - any failure means: no Python peers
        say(f"  PEER MISSING: cannot create {root}: {exc}; Python peers are skipped")
        return False
    pip = [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check"]
    done = _run(pip + wanted)
    if done.returncode == 0:
        return True
    say("  pip could not install all peers at once; trying one by one:\n" + tail(done.stdout))
    complete = True
    for req in wanted:
        one = _run(pip + [req])
        if one.returncode != 0:
            complete = False
            say(f"  PEER MISSING: pip install {req} failed:\n" + tail(one.stdout, 3))
    return complete


def _node_peers(peers: Peers) -> None:
    prefix = PEERS / "npm"
    modules = prefix / "node_modules"
    stamp = prefix / ".bench-installed"
    if _read(stamp) != json.dumps(NODE_PEERS):
        npm = shutil.which("npm")
        if npm is None or shutil.which("node") is None:
            say("  PEER MISSING: quicktype and postman2openapi need node and npm, which are "
                "not on PATH; their rows are skipped")
            return
        say(f"  installing {', '.join(NODE_PEERS)} into {_show(prefix)} ...")
        prefix.mkdir(parents=True, exist_ok=True)
        done = _run([npm, "install", "--prefix", str(prefix), "--no-audit", "--no-fund",
                     "--loglevel=error", *NODE_PEERS])
        if done.returncode == 0:
            stamp.write_text(json.dumps(NODE_PEERS))
        else:
            say("  PEER MISSING: npm install failed (registry unreachable?):\n" + tail(done.stdout))
    if (modules / ".bin" / "quicktype").exists():
        peers.quicktype = modules / ".bin" / "quicktype"
    else:
        say("  PEER MISSING: quicktype is not installed; its rows are skipped")
    if (modules / "postman2openapi" / "package.json").exists():
        peers.postman2openapi = modules / "postman2openapi"
    else:
        say("  PEER MISSING: postman2openapi is not installed; its rows are skipped")


def versions(peers: Peers) -> dict[str, str]:
    """Installed version of every peer (for RESULTS.md)."""
    found: dict[str, str] = {}
    modules = PEERS / "npm" / "node_modules"
    for name in ("quicktype", "postman2openapi"):
        try:
            found[name] = json.loads((modules / name / "package.json").read_text())["version"]
        except (OSError, ValueError, KeyError):
            pass
    if peers.python is not None:
        code = ("import json, sys; from importlib.metadata import version as v\n"
                "out = {}\nfor n in sys.argv[1:]:\n"
                "    try: out[n] = v(n)\n    except Exception: pass\nprint(json.dumps(out))")
        done = _run([str(peers.python), "-c", code, "openapi-python-client",
                     "datamodel-code-generator", "pydantic", "msgspec", "ruff", "black"])
        if done.returncode == 0:
            found.update(json.loads(done.stdout))
    node = shutil.which("node")
    if node:
        found["node"] = _run([node, "--version"]).stdout.strip()
    return found


def _importable(python: Path, modules: list[str]) -> set[str]:
    """Which of `modules` the peers interpreter can import."""
    code = ("import importlib.util, json, sys; print(json.dumps("
            "[m for m in sys.argv[1:] if importlib.util.find_spec(m)]))")
    done = _run([str(python), "-c", code, *modules])
    found = set(json.loads(done.stdout or "[]")) if done.returncode == 0 else set()
    for missing in sorted(set(modules) - found):
        say(f"  PEER MISSING: python module {missing!r} is not installed in the peers venv")
    return found


def _run(cmd: list[str]) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(cmd, check=False, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True, timeout=INSTALL_TIMEOUT,
                              stdin=subprocess.DEVNULL)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return subprocess.CompletedProcess(cmd, 1, stdout=str(exc))


def _read(path: Path) -> str:
    try:
        return path.read_text()
    except OSError:
        return ""


def _show(path: Path) -> str:
    try:
        return str(path.relative_to(BENCH.parent))
    except ValueError:
        return str(path)
