#!/usr/bin/env python3
"""validate.py - validate trustmap's SARIF output against the SARIF 2.1.0 schema.

usage: tests/sarif/validate.py SCHEMA FILE.sarif...
       tests/sarif/validate.py SCHEMA --run TRUSTMAP ARGS...   (validate the stdout of a run)

Uses the `jsonschema` module when it is installed; otherwise a small
validator for the subset of JSON Schema draft-07 that the SARIF schema uses
($ref to #/definitions, type, required, properties, additionalProperties,
enum, const, items, minItems, uniqueItems, pattern, minimum, oneOf, anyOf,
allOf, dependencies; format is ignored). Exits 0 when every input is valid,
1 otherwise, printing each error with its JSON path.
"""
import json
import re
import subprocess
import sys

TYPES = {
    "object": dict, "array": list, "string": str, "boolean": bool, "null": type(None),
}


def is_type(v, t):
    if t == "integer":
        return isinstance(v, int) and not isinstance(v, bool)
    if t == "number":
        return isinstance(v, (int, float)) and not isinstance(v, bool)
    return isinstance(v, TYPES[t])


class Mini:
    """Minimal draft-07 validator (the subset the SARIF schema uses)."""

    def __init__(self, schema):
        self.root = schema

    def resolve(self, ref):
        if not ref.startswith("#/"):
            raise ValueError("unsupported $ref " + ref)
        node = self.root
        for part in ref[2:].split("/"):
            node = node[part.replace("~1", "/").replace("~0", "~")]
        return node

    def errors(self, v, s, path="$"):
        if s is True or s == {}:
            return []
        if s is False:
            return [path + ": not allowed"]
        if "$ref" in s:
            return self.errors(v, self.resolve(s["$ref"]), path)
        errs = []
        t = s.get("type")
        if t is not None:
            ts = t if isinstance(t, list) else [t]
            if not any(is_type(v, x) for x in ts):
                return [f"{path}: expected {t}, got {type(v).__name__}"]
        if "enum" in s and v not in s["enum"]:
            errs.append(f"{path}: {v!r} not in {s['enum']}")
        if "const" in s and v != s["const"]:
            errs.append(f"{path}: {v!r} != {s['const']!r}")
        if isinstance(v, str) and "pattern" in s and not re.search(s["pattern"], v):
            errs.append(f"{path}: {v!r} does not match {s['pattern']}")
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            if "minimum" in s and v < s["minimum"]:
                errs.append(f"{path}: {v} < minimum {s['minimum']}")
            if "maximum" in s and v > s["maximum"]:
                errs.append(f"{path}: {v} > maximum {s['maximum']}")
        if isinstance(v, list):
            if "minItems" in s and len(v) < s["minItems"]:
                errs.append(f"{path}: fewer than {s['minItems']} items")
            if s.get("uniqueItems"):
                seen = [json.dumps(x, sort_keys=True) for x in v]
                if len(seen) != len(set(seen)):
                    errs.append(f"{path}: items are not unique")
            if isinstance(s.get("items"), dict):
                for i, x in enumerate(v):
                    errs += self.errors(x, s["items"], f"{path}[{i}]")
        if isinstance(v, dict):
            for k in s.get("required", []):
                if k not in v:
                    errs.append(f"{path}: missing required property {k!r}")
            props = s.get("properties", {})
            for k, x in v.items():
                if k in props:
                    errs += self.errors(x, props[k], f"{path}.{k}")
                elif "additionalProperties" in s:
                    ap = s["additionalProperties"]
                    if ap is False:
                        errs.append(f"{path}: unexpected property {k!r}")
                    elif isinstance(ap, dict):
                        errs += self.errors(x, ap, f"{path}.{k}")
            for k, dep in s.get("dependencies", {}).items():
                if k in v:
                    if isinstance(dep, list):
                        errs += [f"{path}: {k!r} requires {d!r}" for d in dep if d not in v]
                    else:
                        errs += self.errors(v, dep, path)
        for sub in s.get("allOf", []):
            errs += self.errors(v, sub, path)
        if "anyOf" in s and not any(not self.errors(v, sub, path) for sub in s["anyOf"]):
            errs.append(f"{path}: matches none of anyOf")
        if "oneOf" in s:
            n = sum(1 for sub in s["oneOf"] if not self.errors(v, sub, path))
            if n != 1:
                errs.append(f"{path}: matches {n} of oneOf, expected exactly 1")
        return errs


def validate(schema, doc):
    try:
        import jsonschema  # noqa: F401
        v = jsonschema.Draft7Validator(schema)
        return [f"$.{'.'.join(str(p) for p in e.absolute_path)}: {e.message}" for e in v.iter_errors(doc)]
    except ImportError:
        return Mini(schema).errors(doc, schema)


def main(argv):
    if len(argv) < 3:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    with open(argv[1], encoding="utf-8") as f:
        schema = json.load(f)
    inputs = []
    if argv[2] == "--run":
        out = subprocess.run(argv[3:], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, check=False).stdout
        inputs.append((" ".join(argv[3:]), out.decode("utf-8")))
    else:
        for p in argv[2:]:
            with open(p, encoding="utf-8") as f:
                inputs.append((p, f.read()))
    bad = 0
    for name, text in inputs:
        try:
            doc = json.loads(text)
        except ValueError as e:
            print(f"INVALID {name}: not JSON: {e}")
            bad += 1
            continue
        errs = validate(schema, doc)
        # structure trustmap promises beyond the schema (docs/ci.md)
        runs = doc.get("runs", [])
        if len(runs) != 1:
            errs.append("$.runs: expected exactly one run")
        for r in runs:
            ids = [x["id"] for x in r.get("tool", {}).get("driver", {}).get("rules", [])]
            for i, res in enumerate(r.get("results", [])):
                if res.get("ruleId") not in ids:
                    errs.append(f"$.runs[0].results[{i}].ruleId {res.get('ruleId')!r} is not in tool.driver.rules")
                elif res.get("ruleIndex") is not None and ids[res["ruleIndex"]] != res["ruleId"]:
                    errs.append(f"$.runs[0].results[{i}].ruleIndex does not point at its ruleId")
                if not res.get("locations"):
                    errs.append(f"$.runs[0].results[{i}]: no location (GitHub code scanning needs one)")
                for loc in res.get("locations", []):
                    uri = loc["physicalLocation"]["artifactLocation"]["uri"]
                    if uri.startswith("/"):
                        errs.append(f"$.runs[0].results[{i}]: artifact URI {uri!r} is absolute without file://")
        if errs:
            bad += 1
            print(f"INVALID {name}")
            for e in errs[:50]:
                print("  " + e)
        else:
            print(f"valid {name}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
