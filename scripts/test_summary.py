#!/usr/bin/env python3
"""Count test cases across meson test logs (TAP lines of each test binary).

Prints one line per log and a final "tests: N passed, M failed". A test binary that
failed without printing TAP results counts as one failed test.
"""
import json
import sys


def count(log_path):
    passed = failed = 0
    with open(log_path, encoding="utf-8") as log:
        for line in log:
            entry = json.loads(line)
            out = entry.get("stdout", "") or ""
            ok = sum(1 for l in out.splitlines() if l.startswith("ok "))
            bad = sum(1 for l in out.splitlines() if l.startswith("not ok "))
            if entry.get("result") not in ("OK", "EXPECTEDFAIL", "SKIP") and bad == 0:
                bad = 1
            passed += ok
            failed += bad
    return passed, failed


def main():
    total_passed = total_failed = 0
    for path in sys.argv[1:]:
        passed, failed = count(path)
        print(f"{path}: {passed} passed, {failed} failed")
        total_passed += passed
        total_failed += failed
    print(f"tests: {total_passed} passed, {total_failed} failed")
    return 0 if total_failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
