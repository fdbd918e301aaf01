"""The built wheel is the product: it imports as `postman_codegen`, carries its
templates and runtime, and generates exactly the committed `generated/`."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from conftest import ROOT


def test_the_built_wheel_imports_and_generates_the_committed_output(tmp_path: Path) -> None:
    dist, site = tmp_path / "dist", tmp_path / "site"
    pip = [sys.executable, "-m", "pip", "-q", "--disable-pip-version-check"]
    subprocess.run([*pip, "wheel", "--no-deps", "-w", dist, ROOT],
                   check=True, capture_output=True)
    (wheel,) = dist.glob("postman_codegen-*.whl")
    subprocess.run([*pip, "install", "--no-deps", "--target", site, wheel],
                   check=True, capture_output=True)
    script = textwrap.dedent(f"""
        import sys
        sys.path.insert(0, {str(site)!r})
        import postman_codegen, postman_codegen.render as render
        from postman_codegen.cli import main
        assert postman_codegen.__file__.startswith({str(site)!r}), postman_codegen.__file__
        assert render.templates_dir().is_relative_to({str(site)!r})
        sys.argv = ["postman-codegen", "generate", "-q", "-o", {str(tmp_path / "out")!r},
                    {str(ROOT / "collections")!r}]
        main()
    """)
    proc = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, check=False,
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    made = {p.relative_to(tmp_path / "out"): p.read_bytes()
            for p in sorted((tmp_path / "out").rglob("*")) if p.is_file()}
    committed = {p.relative_to(ROOT / "generated"): p.read_bytes()
                 for p in sorted((ROOT / "generated").rglob("*")) if p.is_file()}
    assert made == committed
