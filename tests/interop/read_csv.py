#!/usr/bin/env python3
"""Read every CSV table of an extracted export package with Python's csv module alone.

Checks the header against the schema, the row count against datapackage.json, the SHA-256
of each file, and a few values of the "edge" table. Prints TAP lines numbered from START.
Usage: read_csv.py DIR START
"""
import base64
import csv
import hashlib
import json
import sys


def main():
    root, number = sys.argv[1], int(sys.argv[2])
    manifest = json.load(open(f"{root}/datapackage.json", encoding="utf-8"))
    failed = False
    for resource in manifest["resources"]:
        number += 1
        paths = resource["path"] if isinstance(resource["path"], list) else [resource["path"]]
        data = b"".join(open(f"{root}/{p}", "rb").read() for p in paths)
        fields = [f["name"] for f in resource["schema"]["fields"]]
        rows = list(csv.DictReader(data.decode("utf-8").splitlines(keepends=True)))
        problems = []
        if "sha256:" + hashlib.sha256(data).hexdigest() != resource["hash"]:
            problems.append("hash differs")
        if len(data) != resource["bytes"]:
            problems.append("bytes differ")
        if len(rows) != resource["rows"]:
            problems.append(f"{len(rows)} rows, {resource['rows']} listed")
        if rows and list(rows[0].keys()) != fields:
            problems.append("header differs from the schema")
        if resource["name"] == "edge":
            by_id = {row["id"]: row for row in rows}
            if by_id["1"]["t"] != "ⵜⴰⵎⴰⵣⵉⵖⵜ مرحبا 🙂, \"quoted\"\nline":
                problems.append("text of row 1: " + repr(by_id["1"]["t"]))
            if base64.b64decode(by_id["1"]["b"]) != b"\x00\x01\xff":
                problems.append("blob of row 1")
            if by_id["1"]["i"] != "9223372036854775807" or by_id["2"]["i"] != "-9223372036854775808":
                problems.append("extreme integers")
            if by_id["1"]["ts"] != "2024-03-10T11:00:00Z":
                problems.append("timestamp of row 1: " + by_id["1"]["ts"])
        status = "ok" if not problems else "not ok"
        failed = failed or bool(problems)
        print(f"{status} {number} - python csv reads {resource['name']}: {len(rows)} rows"
              + (": " + "; ".join(problems) if problems else ""))
    return number, failed


if __name__ == "__main__":
    last, failed = main()
    sys.exit(1 if failed else 0)
