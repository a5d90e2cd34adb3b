#!/usr/bin/env python3
"""systemd-analyze verify on the module's units, instantiated for a tenant "demo", with
ExecStart pointing at the built dispatcher (TAP output)."""
import pathlib, re, subprocess, sys, tempfile

units_dir, dispatcher = pathlib.Path(sys.argv[1]), sys.argv[2]
units = sorted(units_dir.glob("*@.*"))
print(f"1..{len(units) // 2}")
failed = 0
with tempfile.TemporaryDirectory() as tmp:
    for unit in units:
        text = unit.read_text().replace("/usr/bin/dihya", dispatcher)
        (pathlib.Path(tmp) / unit.name.replace("@.", "@demo.")).write_text(text)
    for i, service in enumerate(sorted(pathlib.Path(tmp).glob("*.service")), 1):
        timer = service.with_suffix(".timer")
        run = subprocess.run(["systemd-analyze", "verify", str(service), str(timer)],
                             capture_output=True, text=True, env={"SYSTEMD_LOG_LEVEL": "warning"})
        problems = [l for l in (run.stdout + run.stderr).splitlines() if l.strip()]
        ok = run.returncode == 0 and not problems
        failed += not ok
        print(("ok" if ok else "not ok") + f" {i} - {service.name} and its timer")
        for line in problems:
            print("# " + line)
sys.exit(1 if failed else 0)
