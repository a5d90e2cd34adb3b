#!/usr/bin/env python3
"""Embed message catalogs (<module>/i18n/<lang>.json) into a C++ source file.

Each catalog is parsed here, so a malformed catalog or an id outside the module's
prefix fails the build rather than a run.
"""
import json
import os
import sys

DELIM = "dihya_i18n"


def main() -> int:
    out_path, *catalogs = sys.argv[1:]
    rows = []
    for path in catalogs:
        module = os.path.basename(os.path.dirname(os.path.dirname(os.path.abspath(path))))
        lang = os.path.splitext(os.path.basename(path))[0]
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
        for key in data:
            if key.startswith("_"):
                continue
            if not key.startswith(module + ".") and not (module == "core"):
                sys.exit(f"{path}: id {key!r} must start with {module!r}")
        data = {k: v for k, v in data.items() if not k.startswith("_")}
        text = json.dumps(data, ensure_ascii=False, sort_keys=True)
        if f'){DELIM}"' in text:
            sys.exit(f"{path}: contains the raw-string delimiter")
        rows.append((module, lang, text))
    with open(out_path, "w", encoding="utf-8") as out:
        out.write('#include "core/i18n_catalogs.hpp"\n\nnamespace dihya::i18n_data {\n\n')
        out.write("const Blob k_blobs[] = {\n")
        for module, lang, text in rows:
            out.write(f'  {{"{module}", "{lang}", R"{DELIM}({text}){DELIM}"}},\n')
        out.write("};\n")
        out.write(f"const std::size_t k_blob_count = {len(rows)};\n\n}}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
