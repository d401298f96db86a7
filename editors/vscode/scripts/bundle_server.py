"""Builds the language server bundles the platform .vsix packages carry.

For each VS Code target (linux-x64, linux-arm64, darwin-x64, darwin-arm64, win32-x64,
win32-arm64) and each CPython from 3.10 to 3.14, `pip install --target` puts errsig's wheel and
its dependencies, as wheels for that platform and Python (pip's --platform, --python-version,
--implementation and --only-binary options), into .cache/bundles/<target>/cp3XX/. This is the
`bundled/libs` layout of Microsoft's vscode-python-tools-extension-template. A Python with no
complete set of wheels for a target is left out and recorded. Each target folder gets a
bundle.json: the Pythons it has, the ones left out and why, the wheels and their tags, and the
oldest macOS its wheels accept.

    python scripts/bundle_server.py [--targets linux-x64,win32-arm64] [--pythons 3.12,3.13]

Run from anywhere; reuses a target's bundle while errsig's sources and the options are the same.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent  # editors/vscode
ROOT = HERE.parent.parent
CACHE = HERE / ".cache"
BUNDLES = CACHE / "bundles"
PYTHONS = ("3.10", "3.11", "3.12", "3.13", "3.14")


# pip takes the newest release with a wheel for any of the platforms given, and among that
# release's wheels the one whose platform comes first: so the oldest platform comes first, and
# the bundle runs on the oldest system those releases allow (bundle.json says which).


def _manylinux(arch: str) -> list[str]:
    # glibc 2.28 is VS Code's own floor on Linux (since 1.86): wheels up to manylinux_2_28.
    return [f"manylinux2014_{arch}"] + [f"manylinux_2_{m}_{arch}" for m in range(17, 29)]


def _macos(arch: str, oldest: tuple[int, int]) -> list[str]:
    # From the oldest macOS the architecture had (10.9 for x86_64, 11 for arm64) to 15;
    # universal2 wheels hold both architectures.
    versions = [(10, 9), (10, 12), (10, 13), (10, 14), (10, 15), (11, 0), (12, 0), (13, 0), (14, 0), (15, 0)]
    out = []
    for major, minor in versions:
        if (major, minor) < oldest:
            continue
        out += [f"macosx_{major}_{minor}_{arch}", f"macosx_{major}_{minor}_universal2"]
    return out


TARGETS: dict[str, dict[str, object]] = {
    "linux-x64": {"platforms": _manylinux("x86_64"), "without": []},
    "linux-arm64": {"platforms": _manylinux("aarch64"), "without": []},
    "darwin-x64": {"platforms": _macos("x86_64", (10, 9)), "without": []},
    "darwin-arm64": {"platforms": _macos("arm64", (11, 0)), "without": []},
    "win32-x64": {"platforms": ["win_amd64"], "without": []},
    # pyahocorasick publishes no win_arm64 wheels; errsig counts literals without it there.
    "win32-arm64": {"platforms": ["win_arm64"], "without": ["pyahocorasick"]},
}


def log(msg: str) -> None:
    print(f"[bundle-server] {msg}", file=sys.stderr, flush=True)


def source_key() -> str:
    h = hashlib.sha256()
    for folder in ("server", "seeds"):
        for p in sorted((ROOT / folder).rglob("*")):
            if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc":
                h.update(str(p.relative_to(ROOT)).encode())
                h.update(p.read_bytes())
    for name in ("pyproject.toml", "README.md"):
        h.update((ROOT / name).read_bytes())
    h.update(Path(__file__).read_bytes())
    return h.hexdigest()[:16]


def build_wheel(py: str, key: str) -> Path:
    out = CACHE / "server" / "wheel" / key
    found = sorted(out.glob("errsig-*.whl"))
    if found:
        return found[0]
    shutil.rmtree(out.parent, ignore_errors=True)
    out.mkdir(parents=True)
    log(f"building the errsig wheel from {ROOT}")
    subprocess.run(
        [py, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", str(out), str(ROOT)], check=True
    )
    return sorted(out.glob("errsig-*.whl"))[0]


def requirements(wheel: Path, without: list[str]) -> list[str]:
    """The wheel's unconditional requirements, minus ``without``, markers dropped (pip would
    evaluate them against this machine, not against the target)."""
    with zipfile.ZipFile(wheel) as zf:
        meta = next(n for n in zf.namelist() if n.endswith(".dist-info/METADATA"))
        text = zf.read(meta).decode()
    out = []
    for line in text.splitlines():
        if not line.startswith("Requires-Dist:"):
            continue
        req, _, marker = line[len("Requires-Dist:") :].strip().partition(";")
        if "extra ==" in marker:
            continue
        name = re.split(r"[<>=!~\[ ]", req.strip(), maxsplit=1)[0]
        if name.lower() not in {w.lower() for w in without}:
            out.append(req.strip())
    return out


def wheel_tags(folder: Path) -> dict[str, list[str]]:
    tags = {}
    for wheel_file in sorted(folder.glob("*.dist-info/WHEEL")):
        lines = wheel_file.read_text().splitlines()
        tags[wheel_file.parent.name.removesuffix(".dist-info")] = [
            line.split(":", 1)[1].strip() for line in lines if line.startswith("Tag:")
        ]
    return tags


def system_floor(tags: dict[str, list[str]], pattern: str) -> tuple[int, int] | None:
    """The oldest system every wheel accepts: per wheel the lowest version its platform tags
    name (``macosx_13_0_arm64`` -> 13.0, ``manylinux_2_27_x86_64`` -> glibc 2.27), the highest
    of those over the wheels."""
    floor: tuple[int, int] | None = None
    for tag_list in tags.values():
        versions = [(int(m.group(1)), int(m.group(2))) for t in tag_list if (m := re.search(pattern, t))]
        if versions:
            need = min(versions)
            floor = max(floor, need) if floor else need
    return floor


_FLOORS = {"macos_min": r"macosx_(\d+)_(\d+)_", "glibc_min": r"manylinux_(\d+)_(\d+)_"}


def bundle_target(py: str, wheel: Path, target: str, pythons: list[str], key: str) -> dict[str, object]:
    spec = TARGETS[target]
    out = BUNDLES / target
    stamp = out / ".stamp"
    want = f"{key} {' '.join(pythons)}"
    if stamp.is_file() and stamp.read_text() == want:
        log(f"{target}: up to date")
        return json.loads((out / "bundle.json").read_text())
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    without = list(spec["without"])  # type: ignore[call-overload]
    reqs = requirements(wheel, without)
    platforms = [a for p in spec["platforms"] for a in ("--platform", p)]  # type: ignore[attr-defined]
    manifest: dict[str, object] = {"target": target, "pythons": [], "left_out": {}, "without": without}
    floors: dict[str, list[tuple[int, int]]] = {}
    for version in pythons:
        tag = "cp" + version.replace(".", "")
        dest = out / tag
        common = [
            py, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-compile",
            "--target", str(dest), "--only-binary=:all:", "--implementation", "cp",
            "--python-version", version, *platforms,
        ]  # fmt: skip
        steps = [[*common, "--no-deps", str(wheel)], [*common, *reqs]] if without else [[*common, str(wheel)]]
        log(f"{target} {tag}: pip install --target (platforms {spec['platforms'][-1]}…)")  # type: ignore[index]
        failed = None
        for cmd in steps:
            proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
            if proc.returncode != 0:
                failed = (proc.stderr.strip().splitlines() or ["pip failed"])[-1]
                break
        if failed:
            log(f"{target} {tag}: left out: {failed}")
            manifest["left_out"][tag] = failed  # type: ignore[index]
            shutil.rmtree(dest, ignore_errors=True)
            continue
        shutil.rmtree(dest / "bin", ignore_errors=True)
        for cache in dest.rglob("__pycache__"):
            shutil.rmtree(cache, ignore_errors=True)
        tags = wheel_tags(dest)
        manifest["pythons"].append(tag)  # type: ignore[attr-defined]
        manifest.setdefault("wheels", {})[tag] = tags  # type: ignore[attr-defined, index]
        for name, pattern in _FLOORS.items():
            floor = system_floor(tags, pattern)
            if floor:
                floors.setdefault(name, []).append(floor)
    for name, found in floors.items():
        worst = max(found)
        manifest[name] = f"{worst[0]}.{worst[1]}"
    (out / "bundle.json").write_text(json.dumps(manifest, indent=1) + "\n")
    stamp.write_text(want)
    return manifest


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--targets", default=",".join(TARGETS))
    ap.add_argument("--pythons", default=",".join(PYTHONS))
    ap.add_argument("--python", default=sys.executable, help="the Python that runs pip")
    args = ap.parse_args()
    targets = [t for t in args.targets.split(",") if t]
    unknown = [t for t in targets if t not in TARGETS]
    if unknown:
        log(f"unknown target(s) {unknown}; known: {list(TARGETS)}")
        return 2
    key = source_key()
    wheel = build_wheel(args.python, key)
    failed = []
    for target in targets:
        manifest = bundle_target(args.python, wheel, target, args.pythons.split(","), key)
        if not manifest["pythons"]:
            failed.append(target)
        left = manifest["left_out"]
        log(
            f"{target}: {' '.join(manifest['pythons'])}"  # type: ignore[arg-type]
            + (f"; left out {', '.join(left)}" if left else "")  # type: ignore[arg-type]
            + (f"; macOS >= {manifest['macos_min']}" if manifest.get("macos_min") else "")
            + (f"; glibc >= {manifest['glibc_min']}" if manifest.get("glibc_min") else "")
        )
    if failed:
        log(f"nothing bundled for {failed}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
