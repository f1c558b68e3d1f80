#!/usr/bin/env python3
"""Checks what `cargo package` made of each published crate (scripts/package.sh runs it).

    check_packages.py CRATE...

For each crate: its `.crate` under target/package holds the library's sources, the README and
both licence texts (the files themselves, not links); its manifest has a description, the
licence, a README, keywords and categories, docs.rs metadata (all features, `--cfg docsrs`) and
no placeholder URL; its README and its crate docs show the same feature table. And every other
package of the workspace says `publish = false`.
"""
import json
import re
import subprocess
import sys
import tarfile
import tomllib

failures = []


def fail(crate, why):
    failures.append(f"{crate}: {why}")


def table(lines):
    return [l.strip() for l in lines if l.strip().startswith("| `")]


meta = json.loads(
    subprocess.check_output(["cargo", "metadata", "--no-deps", "--format-version", "1"])
)
version = {p["name"]: p["version"] for p in meta["packages"]}
published = sys.argv[1:]
for package in meta["packages"]:
    if package["name"] not in published and package["publish"] != []:
        fail(package["name"], "not in the published list, so it must say `publish = false`")

for crate in published:
    name = f"{crate}-{version[crate]}"
    with tarfile.open(f"target/package/{name}.crate") as archive:
        members = {m.name.removeprefix(name + "/"): m for m in archive.getmembers()}
        for needed in ["Cargo.toml", "README.md", "LICENSE-MIT", "LICENSE-APACHE", "src/lib.rs"]:
            if needed not in members:
                fail(crate, f"{needed} is not in the package")
            elif not members[needed].isfile():
                fail(crate, f"{needed} is in the package as a link, not a file")
        licences = {
            "LICENSE-MIT": "Permission is hereby granted",
            "LICENSE-APACHE": "Apache License",
        }
        for file, words in licences.items():
            if file in members and members[file].isfile():
                if words not in archive.extractfile(members[file]).read().decode():
                    fail(crate, f"{file} is not the licence's text")
        manifest = tomllib.loads(archive.extractfile(members["Cargo.toml"]).read().decode())
        readme = archive.extractfile(members["README.md"]).read().decode()
        lib = archive.extractfile(members["src/lib.rs"]).read().decode()
    package = manifest["package"]
    for key in ["description", "license", "readme", "keywords", "categories", "rust-version"]:
        if not package.get(key):
            fail(crate, f"the manifest has no `{key}`")
    if "example.invalid" in json.dumps(manifest):
        fail(crate, "the manifest has a placeholder URL")
    docs_rs = package.get("metadata", {}).get("docs", {}).get("rs", {})
    if docs_rs.get("all-features") is not True or "docsrs" not in docs_rs.get("rustdoc-args", []):
        fail(crate, "[package.metadata.docs.rs] must document all features with --cfg docsrs")
    if "cargo add " + crate not in readme:
        fail(crate, "the README does not say how to add it (`cargo add`)")
    if "```rust" not in readme:
        fail(crate, "the README has no example")
    docs = [l.removeprefix("//!") for l in lib.splitlines() if l.startswith("//!")]
    if table(docs) != table(readme.splitlines()):
        fail(crate, "the README's feature table and the crate docs' differ")
    if "feature(doc_cfg)" not in lib:
        fail(crate, "the crate docs do not badge feature-gated items (doc_cfg under docsrs)")
    if not re.search(r'include_str!\("\.\./README\.md"\)', lib):
        fail(crate, "the README's examples are not run as doc tests")

for failure in failures:
    print(failure, file=sys.stderr)
sys.exit(1 if failures else 0)
