#!/usr/bin/env python3
"""The layer rule as a test: every `#include "…"` of the project against the table of
ARCHITECTURE.md ("Layers": each folder of core/ and what it may include).

    check_layers.py SOURCE_ROOT          # TAP: the tree, then planted violations must be caught

A file in core/<layer>/ may include its own layer and the layers its row names; the tests of a
layer (core/<layer>/tests/) may also include core/testing. A module may include core/ and
itself, never another module; core/ includes no module. Every folder of core/ needs a row.
"""
import pathlib
import re
import shutil
import sys
import tempfile

MODULES = ["backup", "cleaning", "maintenance", "monitoring", "ops", "performance", "rgpd",
           "seed", "souverainete"]
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')
SOURCES = ("*.cpp", "*.hpp", "*.h")


def read_table(root):
    """The rows of ARCHITECTURE.md's layer table: {"core/base": {"core/base", …}}."""
    text = (root / "ARCHITECTURE.md").read_text(encoding="utf-8")
    section = text.split("## Layers", 1)
    if len(section) < 2:
        raise SystemExit("check_layers: ARCHITECTURE.md has no '## Layers' section")
    table = {}
    for line in section[1].splitlines():
        if line.startswith("## "):
            break
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) < 3 or not cells[0].startswith("`core/"):
            continue
        folder = cells[0].strip("`").rstrip("/")
        allowed = set(re.findall(r"`(core/[a-z_]+)`", cells[-1]))
        table[folder] = allowed | {folder}
    if not table:
        raise SystemExit("check_layers: the '## Layers' table of ARCHITECTURE.md has no row")
    return table


def sources(root, folder):
    base = root / folder
    if not base.is_dir():
        return []
    return sorted(p for pattern in SOURCES for p in base.rglob(pattern))


def top_of(include, layers):
    """The folder an include names: a core layer, a module, tests, or None (generated)."""
    parts = include.split("/")
    if parts[0] == "core" and len(parts) > 2:
        return "core/" + parts[1]
    if parts[0] in MODULES or parts[0] == "tests":
        return parts[0]
    if parts[0] == "core":
        return "core"
    return None


def check(root):
    """Every violation of the layer rule under ROOT, as readable lines."""
    table = read_table(root)
    problems = []
    core = root / "core"
    for entry in sorted(core.iterdir()):
        if entry.is_dir() and f"core/{entry.name}" not in table and entry.name != "i18n":
            problems.append(f"core/{entry.name}/: a folder of core/ with no row in the "
                            "layer table of ARCHITECTURE.md")
        if entry.is_file() and entry.suffix in (".cpp", ".hpp", ".h"):
            problems.append(f"core/{entry.name}: every core file belongs to a layer's folder")
    for folder in table:
        if not (root / folder).is_dir():
            problems.append(f"{folder}: in the layer table but not in the tree")
    checked = [(folder, table[folder]) for folder in table]
    checked += [(m, {m, "core"}) for m in MODULES]
    checked += [("tests", {"tests", "core"})]
    for folder, allowed in checked:
        for path in sources(root, folder):
            rel = path.relative_to(root).as_posix()
            in_tests = "/tests/" in rel[len(folder):] + "/" and folder.startswith("core/")
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                match = INCLUDE.match(line)
                if not match:
                    continue
                target = top_of(match.group(1), table)
                if target is None:
                    continue
                ok = target in allowed
                if "core" in allowed and target.startswith("core"):
                    ok = True
                if in_tests and target == "core/testing":
                    ok = True
                if not ok:
                    what = "another module" if target in MODULES and folder in MODULES else (
                        "a module" if target in MODULES else "a layer it may not use")
                    problems.append(f"{rel}:{number}: includes \"{match.group(1)}\", "
                                    f"{what} ({folder} may include: "
                                    f"{', '.join(sorted(allowed))})")
    return problems


def copy_tree(root, into):
    shutil.copy(root / "ARCHITECTURE.md", into / "ARCHITECTURE.md")
    for folder in ["core", "tests"] + MODULES:
        for path in sources(root, folder):
            target = into / path.relative_to(root)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(path, target)
        (into / folder).mkdir(exist_ok=True)
    (into / "core" / "i18n").mkdir(exist_ok=True)


def planted(root, relpath, line):
    """The violations found once LINE is added to RELPATH in a copy of ROOT."""
    with tempfile.TemporaryDirectory() as tmp:
        copy = pathlib.Path(tmp)
        copy_tree(root, copy)
        target = copy / relpath
        target.parent.mkdir(parents=True, exist_ok=True)
        old = target.read_text(encoding="utf-8") if target.exists() else ""
        target.write_text(line + "\n" + old, encoding="utf-8")
        return check(copy)


def main():
    root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else ".").resolve()
    cases = []
    problems = check(root)
    cases.append(("the tree keeps the layer rule of ARCHITECTURE.md", not problems, problems))
    plants = [
        ("an upward include in core/base is found", "core/base/fs.cpp",
         '#include "core/run/runner.hpp"', "core/base/fs.cpp:1"),
        ("an include of a sibling layer is found", "core/io/stream.cpp",
         '#include "core/config/config.hpp"', "core/io/stream.cpp:1"),
        ("a layer's test including a higher layer is found", "core/data/tests/test_db.cpp",
         '#include "core/backup/backup.hpp"', "core/data/tests/test_db.cpp:1"),
        ("core including a module is found", "core/run/runner.cpp",
         '#include "backup/services.hpp"', "core/run/runner.cpp:1"),
        ("a module including another module is found", "rgpd/detect.cpp",
         '#include "souverainete/services.hpp"', "rgpd/detect.cpp:1"),
        ("a core file outside every layer is found", "core/stray.cpp",
         '#include "core/base/fs.hpp"', "core/stray.cpp"),
    ]
    for name, relpath, line, expected in plants:
        found = planted(root, relpath, line)
        cases.append((name, any(p.startswith(expected) for p in found), found))
    print(f"1..{len(cases)}")
    failed = 0
    for i, (name, ok, details) in enumerate(cases, 1):
        print(f"{'ok' if ok else 'not ok'} {i} - {name}")
        if not ok:
            failed += 1
            for line in details or ["(nothing was found)"]:
                print(f"# {line}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
