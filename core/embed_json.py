#!/usr/bin/env python3
"""Embed JSON data files into a C++ source file as (module, name, text) blobs.

    embed_json.py catalogs OUT.cpp <module>/i18n/<lang>.json...
    embed_json.py locales  OUT.cpp core/locales/<code>.json...

Each file is parsed here, so malformed data fails the build rather than a run. For
catalogs, every message id must start with its module's name (core may use any).
"""
import json
import os
import sys

DELIM = "dihya_json"


def load(kind, path):
    module = os.path.basename(os.path.dirname(os.path.dirname(os.path.abspath(path))))
    name = os.path.splitext(os.path.basename(path))[0]
    with open(path, encoding="utf-8") as f:
        data = json.load(f)
    if kind == "catalogs":
        data = {k: v for k, v in data.items() if not k.startswith("_")}
        for key in data:
            if module != "core" and not key.startswith(module + "."):
                sys.exit(f"{path}: id {key!r} must start with {module + '.'!r}")
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    if f'){DELIM}"' in text:
        sys.exit(f"{path}: contains the raw-string delimiter")
    return module, name, text


def chunks(text, size=60000):
    # MSVC-style limits do not apply to g++, but keep literals of sane length anyway.
    return [text[i:i + size] for i in range(0, len(text), size)] or [""]


def main():
    kind, out_path, *paths = sys.argv[1:]
    symbol = {"catalogs": "k_blobs", "locales": "k_locale_blobs"}[kind]
    rows = [load(kind, p) for p in paths]
    with open(out_path, "w", encoding="utf-8") as out:
        out.write('#include "core/base/embedded_json.hpp"\n\nnamespace dihya::embedded {\n\n')
        out.write(f"const Blob {symbol}[] = {{\n")
        for module, name, text in rows:
            literal = " ".join(f'R"{DELIM}({c}){DELIM}"' for c in chunks(text))
            out.write(f'  {{"{module}", "{name}", {literal}}},\n')
        out.write("};\n")
        out.write(f"const std::size_t {symbol}_count = {len(rows)};\n\n}}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
