"""Checks an mdBook: every `{{#include file:anchor}}` in its sources names a file that has that
`ANCHOR:`/`ANCHOR_END:` pair (mdBook silently includes nothing for a missing anchor), and every
relative link and fragment in the built HTML leads somewhere. External links are not followed
(the network may be closed). Usage: check_book.py BOOK_DIR (with src/ and the built book/).
Exits 1 listing what is broken."""
import html.parser
import pathlib
import re
import sys
import urllib.parse

INCLUDE = re.compile(r"\{\{#include ([^}:]+)(?::([A-Za-z0-9_-]+))?\}\}")


def check_includes(src):
    broken, count = [], 0
    for md in src.rglob("*.md"):
        for path, anchor in INCLUDE.findall(md.read_text(encoding="utf-8")):
            count += 1
            target = (md.parent / path).resolve()
            if not target.exists():
                broken.append(f"{md.name}: include {path} (no such file)")
                continue
            text = target.read_text(encoding="utf-8")
            if anchor and not (f"ANCHOR: {anchor}" in text and f"ANCHOR_END: {anchor}" in text):
                broken.append(f"{md.name}: include {path}:{anchor} (no such anchor)")
    print(f"includes: {count} checked, {len(broken)} broken")
    return broken


class Page(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.links, self.ids = [], set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.add(attrs["id"])
        for name in ("href", "src"):
            if attrs.get(name):
                self.links.append(attrs[name])


def check_links(root):
    pages = {}
    for path in root.rglob("*.html"):
        page = Page()
        page.feed(path.read_text(encoding="utf-8"))
        pages[path.resolve()] = page
    broken = []
    for path, page in pages.items():
        if path.name in ("print.html", "404.html", "toc.html"):
            continue  # generated copies of the chapters
        for link in page.links:
            url = urllib.parse.urlparse(link)
            if url.scheme or link.startswith("//") or link.startswith("mailto:"):
                continue
            target = (path.parent / urllib.parse.unquote(url.path)).resolve() if url.path else path
            if not target.exists():
                broken.append(f"{path.relative_to(root.resolve())}: {link} (no such file)")
                continue
            if url.fragment and target in pages and url.fragment not in pages[target].ids:
                broken.append(f"{path.relative_to(root.resolve())}: {link} (no such anchor)")
    print(f"links: {sum(len(p.links) for p in pages.values())} checked in {len(pages)} pages, "
          f"{len(broken)} broken")
    return broken


def main(book):
    book = pathlib.Path(book)
    broken = check_includes(book / "src") + check_links(book / "book")
    for b in broken:
        print(b, file=sys.stderr)
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
