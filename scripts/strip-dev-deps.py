"""Removes the dev-dependency tables from the Cargo.toml files given (scripts/dep-versions.sh
runs it on scratch copies: a crate's tests must not raise the floors of what users build)."""
import re
import sys

for path in sys.argv[1:]:
    with open(path) as f:
        text = f.read()
    # Each [dev-dependencies] table (and each target-specific one) up to the next table.
    text = re.sub(r"(?ms)^\[(?:target\.[^\]]*\.)?dev-dependencies\]\n.*?(?=^\[|\Z)", "", text)
    with open(path, "w") as f:
        f.write(text)
