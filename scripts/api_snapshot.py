#!/usr/bin/env python3
"""The public API of a crate as sorted text lines, from rustdoc's JSON (format 57).

    api_snapshot.py target/doc/sansock_core.json > api/sansock-core.txt

One line per public item, reached from the crate root through public modules and re-exports,
doc(hidden) items left out: `fn`, `struct` (a tuple struct with its fields; a struct's public
fields one per line), `enum` (and its variants), `trait` (and its items), `type`, `const`,
`static`, `macro`, each inherent method with its signature, and each trait implementation
(`impl Trait for Type`, without auto and blanket ones, nor the compiler's `StructuralPartialEq`
marker). Items re-exported from another crate are listed as `pub use` lines.
`scripts/api-snapshot.sh` runs it for every library crate; the test script checks that the
checked-in files match.
"""
import json
import sys


def hidden(item):
    return any("hidden" in a for a in map(str, item.get("attrs") or []))


class Api:
    def __init__(self, doc):
        self.index = doc["index"]
        self.paths = doc["paths"]
        self.crate = self.index[str(doc["root"])]["name"]
        self.lines = set()
        self.seen = set()

    def item(self, id_):
        return self.index.get(str(id_))

    # ---- types ----

    def args(self, args):
        if not args:
            return ""
        if "angle_bracketed" in args:
            ab = args["angle_bracketed"]
            parts = []
            for a in ab.get("args", []):
                if "type" in a:
                    parts.append(self.ty(a["type"]))
                elif "lifetime" in a:
                    parts.append(a["lifetime"])
                elif "const" in a:
                    parts.append(str(a["const"].get("expr", "_")))
            for c in ab.get("constraints", []):
                binding = c.get("binding", {})
                if "equality" in binding:
                    eq = binding["equality"]
                    value = self.ty(eq["type"]) if "type" in eq else str(eq)
                    parts.append(f"{c['name']} = {value}")
                elif "constraint" in binding:
                    parts.append(f"{c['name']}: " + self.bounds(binding["constraint"]))
            return f"<{', '.join(parts)}>" if parts else ""
        if "parenthesized" in args:
            p = args["parenthesized"]
            out = f" -> {self.ty(p['output'])}" if p.get("output") else ""
            return "(" + ", ".join(self.ty(t) for t in p["inputs"]) + ")" + out
        return ""

    def path_name(self, path):
        return path["path"].split("::")[-1] + self.args(path.get("args"))

    def bounds(self, bounds):
        out = []
        for b in bounds:
            if "trait_bound" in b:
                tb = b["trait_bound"]
                hrtb = ""
                if tb.get("generic_params"):
                    hrtb = "for<" + ", ".join(p["name"] for p in tb["generic_params"]) + "> "
                modifier = "?" if tb.get("modifier") == "maybe" else ""
                out.append(modifier + hrtb + self.path_name(tb["trait"]))
            elif "outlives" in b:
                out.append(b["outlives"])
            elif "use" in b:
                out.append("use<..>")
        return " + ".join(out)

    def ty(self, t):
        if t is None:
            return "()"
        (kind, v), = t.items()
        if kind == "resolved_path":
            return self.path_name(v)
        if kind in ("primitive", "generic"):
            return v
        if kind == "borrowed_ref":
            lt = f"{v['lifetime']} " if v.get("lifetime") else ""
            mut = "mut " if v.get("is_mutable") else ""
            return f"&{lt}{mut}{self.ty(v['type'])}"
        if kind == "raw_pointer":
            return ("*mut " if v.get("is_mutable") else "*const ") + self.ty(v["type"])
        if kind == "tuple":
            return "(" + ", ".join(self.ty(x) for x in v) + ")"
        if kind == "slice":
            return f"[{self.ty(v)}]"
        if kind == "array":
            return f"[{self.ty(v['type'])}; {v['len']}]"
        if kind == "impl_trait":
            return "impl " + self.bounds(v)
        if kind == "dyn_trait":
            traits = " + ".join(self.path_name(p["trait"]) for p in v["traits"])
            lt = f" + {v['lifetime']}" if v.get("lifetime") else ""
            return f"dyn {traits}{lt}"
        if kind == "qualified_path":
            trait = self.path_name(v["trait"]) if v.get("trait") else ""
            return f"<{self.ty(v['self_type'])} as {trait}>::{v['name']}"
        if kind == "function_pointer":
            sig = v["sig"]
            return "fn(" + ", ".join(self.ty(x) for _, x in sig["inputs"]) + ")" + (
                f" -> {self.ty(sig['output'])}" if sig.get("output") else "")
        if kind == "infer":
            return "_"
        return kind

    def generics(self, g):
        params = []
        for p in g.get("params", []):
            kind = p["kind"]
            if "lifetime" in kind:
                params.append(p["name"])
            elif "type" in kind:
                if kind["type"].get("is_synthetic"):
                    continue
                b = self.bounds(kind["type"].get("bounds", []))
                params.append(p["name"] + (f": {b}" if b else ""))
            elif "const" in kind:
                params.append(f"const {p['name']}: {self.ty(kind['const']['type'])}")
        where = []
        for w in g.get("where_predicates", []):
            if "bound_predicate" in w:
                bp = w["bound_predicate"]
                where.append(f"{self.ty(bp['type'])}: {self.bounds(bp['bounds'])}")
        out = f"<{', '.join(params)}>" if params else ""
        if where:
            out += " where " + ", ".join(where)
        return out

    def signature(self, name, f):
        sig = f["sig"]
        header = f.get("header", {})
        quals = ("const " if header.get("is_const") else "") + (
            "async " if header.get("is_async") else "") + (
            "unsafe " if header.get("is_unsafe") else "")
        inputs = []
        for arg_name, t in sig["inputs"]:
            rendered = self.ty(t)
            if arg_name == "self":
                inputs.append({"Self": "self", "&Self": "&self", "&mut Self": "&mut self"}.get(
                    rendered, f"self: {rendered}"))
            else:
                inputs.append(f"{arg_name}: {rendered}")
        out = f" -> {self.ty(sig['output'])}" if sig.get("output") else ""
        g = self.generics(f["generics"])
        where = ""
        if " where " in g:
            g, where = g.split(" where ", 1)
            where = " where " + where
        return f"{quals}fn {name}{g}({', '.join(inputs)}){out}{where}"

    # ---- items ----

    def add(self, line):
        self.lines.add(line)

    def walk_module(self, id_, path):
        module = self.item(id_)["inner"]["module"]
        for child in module["items"]:
            self.visit(child, path)

    def visit(self, id_, path, name=None):
        item = self.item(id_)
        if item is None or hidden(item):
            return
        if item.get("visibility") != "public" and "use" not in item["inner"]:
            return
        if item.get("visibility") not in ("public", None) and "use" in item["inner"]:
            return
        (kind, inner), = item["inner"].items()
        name = name or item.get("name")
        full = f"{path}::{name}" if name else path
        if kind == "use":
            target = inner.get("id")
            if target is not None and self.item(target) is not None:
                if inner.get("is_glob"):
                    if "module" in self.item(target)["inner"]:
                        self.walk_module(target, path)
                    return
                self.visit(target, path, inner["name"])
            else:
                self.add(f"pub use {path}::{inner['name']} = {inner['source']}")
            return
        if (id_, full) in self.seen:
            return
        self.seen.add((id_, full))
        if kind == "module":
            self.add(f"pub mod {full}")
            self.walk_module(id_, full)
        elif kind == "function":
            self.add(f"pub {self.signature(full, inner)}")
        elif kind == "struct":
            shape = inner["kind"] if isinstance(inner["kind"], dict) else {}
            # A tuple struct is one line with its fields (`_` for a private one).
            tuple_fields = shape.get("tuple")
            rendered = ""
            if tuple_fields:
                rendered = "(" + ", ".join(
                    self.ty(self.item(f)["inner"]["struct_field"])
                    if f is not None and self.item(f)["visibility"] == "public" else "_"
                    for f in tuple_fields) + ")"
            self.add(f"pub struct {full}{self.generics(inner['generics'])}{rendered}")
            fields = shape.get("plain", {}).get("fields", [])
            for f in fields:
                field = self.item(f)
                if field and field.get("visibility") == "public" and not hidden(field):
                    self.add(f"pub {full}::{field['name']}: {self.ty(field['inner']['struct_field'])}")
            self.impls(full, inner["impls"])
        elif kind == "enum":
            self.add(f"pub enum {full}{self.generics(inner['generics'])}")
            for v in inner["variants"]:
                variant = self.item(v)
                if variant is None or hidden(variant):
                    continue
                vk = variant["inner"]["variant"]["kind"]
                shape = ""
                if isinstance(vk, dict) and "tuple" in vk:
                    shape = "(" + ", ".join(
                        self.ty(self.item(f)["inner"]["struct_field"]) for f in vk["tuple"] if f is not None) + ")"
                elif isinstance(vk, dict) and "struct" in vk:
                    shape = " { " + ", ".join(
                        f"{self.item(f)['name']}: {self.ty(self.item(f)['inner']['struct_field'])}"
                        for f in vk["struct"]["fields"]) + " }"
                self.add(f"pub {full}::{variant['name']}{shape}")
            self.impls(full, inner["impls"])
        elif kind == "trait":
            self.add(f"pub trait {full}{self.generics(inner['generics'])}")
            for t in inner["items"]:
                ti = self.item(t)
                if ti is None or hidden(ti):
                    continue
                (tk, tv), = ti["inner"].items()
                if tk == "function":
                    self.add(f"pub {self.signature(full + '::' + ti['name'], tv)}")
                elif tk == "assoc_type":
                    self.add(f"pub type {full}::{ti['name']}")
                elif tk == "assoc_const":
                    self.add(f"pub const {full}::{ti['name']}: {self.ty(tv['type'])}")
        elif kind == "type_alias":
            self.add(f"pub type {full}{self.generics(inner['generics'])} = {self.ty(inner['type'])}")
        elif kind == "constant":
            self.add(f"pub const {full}: {self.ty(inner['type'])}")
        elif kind == "static":
            self.add(f"pub static {full}: {self.ty(inner['type'])}")
        elif kind in ("macro", "proc_macro"):
            self.add(f"pub macro {full}")
        else:
            self.add(f"pub {kind} {full}")

    def impls(self, owner, impl_ids):
        for i in impl_ids:
            impl = self.item(i)
            if impl is None or hidden(impl):
                continue
            inner = impl["inner"]["impl"]
            if inner.get("is_synthetic") or inner.get("blanket_impl"):
                continue
            # The compiler's unstable marker that comes with every derived `PartialEq` (for
            # constants in patterns): nothing a user can name or implement, so not API.
            if inner.get("trait") and inner["trait"]["path"].split("::")[-1] == "StructuralPartialEq":
                continue
            g = self.generics(inner["generics"])
            if inner.get("trait"):
                neg = "!" if inner.get("is_negative") else ""
                self.add(f"impl{g.split(' where ')[0]} {neg}{self.path_name(inner['trait'])} for {self.ty(inner['for'])}")
                continue
            for m in inner["items"]:
                mi = self.item(m)
                if mi is None or hidden(mi) or mi.get("visibility") != "public":
                    continue
                (mk, mv), = mi["inner"].items()
                if mk == "function":
                    self.add(f"pub {self.signature(owner + '::' + mi['name'], mv)}")
                elif mk == "assoc_const":
                    self.add(f"pub const {owner}::{mi['name']}: {self.ty(mv['type'])}")


def main():
    with open(sys.argv[1]) as f:
        doc = json.load(f)
    api = Api(doc)
    api.walk_module(doc["root"], api.crate)
    for line in sorted(api.lines):
        print(line)


if __name__ == "__main__":
    main()
