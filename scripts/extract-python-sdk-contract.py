#!/usr/bin/env python3
"""Writes the request and response fields of the PyPI SDK `alibabacloud_cas20200407` as a contract.

The newest official CAS SDK is the Python one (generated from the same API metadata as the npm
`@alicloud/cas20200407`, and newer). tests/unit/sdk-contract.test.ts checks the client's schemas
and tests/integration/emulator-contract.test.ts the emulator's answers against it and the npm SDK.

For every action in `ACTIONS` of provider/cas/actions.ts, the script reads the wheel's generated
models (`alibabacloud_cas20200407/models/*.py`, straight from the zip: nothing is installed or
imported) and records, for the request model (`<Action>Request`) and the response body model
(`<Action>ResponseBody`), each field's wire name (the key `to_map` writes), its type from the
`__init__` annotation (string, integer, number, boolean, any, array, object, map; nested models
expanded) and whether its doc comment says "This parameter is required.". The output records the
SDK version and the wheel's sha256; keys are sorted, so a re-run on the same wheel rewrites the
same bytes.

Usage (the machine's python3, standard library only):

    python3 scripts/extract-python-sdk-contract.py                  # pip download 3.9.4, write the JSON
    python3 scripts/extract-python-sdk-contract.py --version 3.9.5  # another release (new file)
    python3 scripts/extract-python-sdk-contract.py --wheel W.whl    # a wheel already downloaded
    python3 scripts/extract-python-sdk-contract.py --check          # exit 1 if the checked-in JSON differs

The download is `python3 -m pip download --no-deps alibabacloud_cas20200407==<version>` into a
temporary directory. A model that does not have the expected shape (a field without a wire name,
an annotation not understood) stops the script naming it, rather than writing a partial contract.
"""

import argparse
import ast
import hashlib
import json
import os
import re
import subprocess
import sys
import tempfile
import zipfile

PACKAGE = "alibabacloud_cas20200407"
DEFAULT_VERSION = "3.9.4"
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ACTIONS_TS = os.path.join(ROOT, "provider", "cas", "actions.ts")
REQUIRED_REMARK = "This parameter is required."
SCALARS = {"str": "string", "int": "integer", "float": "number", "bool": "boolean", "Any": "any"}


def fail(message):
    sys.exit(f"extract-python-sdk-contract: {message}")


def client_actions():
    """The action names of `export const ACTIONS = { … }` in provider/cas/actions.ts."""
    with open(ACTIONS_TS, encoding="utf-8") as f:
        source = f.read()
    start = source.find("export const ACTIONS = {")
    end = source.find("} as const;", start)
    if start < 0 or end < 0:
        fail(f"no `export const ACTIONS = {{ … }} as const;` in {ACTIONS_TS}")
    names = re.findall(r"^  ([A-Z][A-Za-z0-9]*): \{", source[start:end], re.MULTILINE)
    if not names:
        fail(f"no action found in ACTIONS of {ACTIONS_TS}")
    return names


def download(version, directory):
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--no-deps", "--quiet", "--dest", directory,
         f"{PACKAGE}=={version}"],
        check=True,
    )
    wheels = [n for n in os.listdir(directory) if n.endswith(".whl")]
    if len(wheels) != 1:
        fail(f"pip download left {wheels or 'no wheel'} in {directory}")
    return os.path.join(directory, wheels[0])


def comment_above(lines, lineno):
    """The `#` comment block right above line `lineno` (1-based), as one string."""
    out = []
    i = lineno - 2
    while i >= 0 and lines[i].strip().startswith("#"):
        out.append(lines[i].strip()[1:].strip())
        i -= 1
    return " ".join(reversed(out))


def attrs_and_keys(node):
    """`self.<attr>` names and `result['<Key>']` keys used in a statement of `to_map`."""
    attrs, keys = set(), set()
    for n in ast.walk(node):
        if isinstance(n, ast.Attribute) and isinstance(n.value, ast.Name) and n.value.id == "self":
            attrs.add(n.attr)
        if (isinstance(n, ast.Subscript) and isinstance(n.value, ast.Name) and n.value.id == "result"
                and isinstance(n.slice, ast.Constant) and isinstance(n.slice.value, str)):
            keys.add(n.slice.value)
    return attrs, keys


def parse_class(cls, lines, where):
    """{attr: (annotation, required)} in `__init__` order, and {attr: wire name} from `to_map`."""
    methods = {f.name: f for f in cls.body if isinstance(f, ast.FunctionDef)}
    init, to_map = methods.get("__init__"), methods.get("to_map")
    if init is None or to_map is None:
        fail(f"{where}: {cls.name} has no __init__ or to_map")
    fields = {}
    for arg in init.args.args[1:]:
        if arg.annotation is None:
            fail(f"{where}: {cls.name}.{arg.arg} has no type annotation")
        fields[arg.arg] = [ast.unparse(arg.annotation), False]
    for stmt in init.body:
        if (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1
                and isinstance(stmt.targets[0], ast.Attribute) and stmt.targets[0].attr in fields):
            fields[stmt.targets[0].attr][1] = REQUIRED_REMARK in comment_above(lines, stmt.lineno)
    wire = {}
    for stmt in to_map.body:
        attrs, keys = attrs_and_keys(stmt)
        attrs &= set(fields)
        if len(attrs) == 1 and len(keys) == 1:
            attr, key = attrs.pop(), keys.pop()
            if wire.get(attr, key) != key:
                fail(f"{where}: {cls.name}.{attr} is written under two names")
            wire[attr] = key
    missing = [a for a in fields if a not in wire]
    if missing:
        fail(f"{where}: {cls.name}: no wire name found in to_map for {missing}")
    return fields, wire


class Models:
    """Every model class of the wheel, by class name."""

    def __init__(self, wheel):
        self.classes = {}
        with zipfile.ZipFile(wheel) as z:
            for name in sorted(z.namelist()):
                if not re.fullmatch(rf"{PACKAGE}/models/_[a-z0-9_]+\.py", name):
                    continue
                source = z.read(name).decode("utf-8")
                lines = source.splitlines()
                for node in ast.parse(source, name).body:
                    if isinstance(node, ast.ClassDef):
                        self.classes[node.name] = (node, lines, name)
        if not self.classes:
            fail(f"{wheel} holds no {PACKAGE}/models/_*.py")

    def fields(self, class_name, seen=()):
        if class_name not in self.classes:
            fail(f"model {class_name} not found in the wheel")
        if class_name in seen:
            fail(f"model {class_name} contains itself")
        cls, lines, where = self.classes[class_name]
        annotated, wire = parse_class(cls, lines, where)
        out = {}
        for attr, (annotation, required) in annotated.items():
            spec = self.type_of(annotation, f"{class_name}.{attr}", seen + (class_name,))
            spec["required"] = required
            out[wire[attr]] = spec
        return dict(sorted(out.items()))

    def type_of(self, annotation, where, seen):
        annotation = annotation.replace(" ", "")
        if annotation in SCALARS:
            return {"type": SCALARS[annotation]}
        m = re.fullmatch(r"List\[(.+)\]", annotation)
        if m:
            return {"type": "array", "items": self.type_of(m.group(1), where, seen)}
        m = re.fullmatch(r"Dict\[str,(.+)\]", annotation)
        if m:
            return {"type": "map", "values": self.type_of(m.group(1), where, seen)}
        m = re.fullmatch(r"main_models\.(\w+)", annotation)
        if m:
            return {"type": "object", "model": m.group(1), "fields": self.fields(m.group(1), seen)}
        fail(f"{where}: annotation {annotation!r} not understood")


def contract(wheel, version):
    with open(wheel, "rb") as f:
        sha256 = hashlib.sha256(f.read()).hexdigest()
    models = Models(wheel)
    actions = {}
    for action in client_actions():
        request, body = f"{action}Request", f"{action}ResponseBody"
        actions[action] = {
            "request": {"model": request, "fields": models.fields(request)},
            "response": {"model": body, "fields": models.fields(body)},
        }
    return {
        "sdk": PACKAGE,
        "version": version,
        "wheel": os.path.basename(wheel),
        "wheelSha256": sha256,
        "generatedBy": "scripts/extract-python-sdk-contract.py",
        "actions": dict(sorted(actions.items())),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--version", default=DEFAULT_VERSION, help=f"SDK release (default {DEFAULT_VERSION})")
    parser.add_argument("--wheel", help="a downloaded wheel of that release (default: pip download it)")
    parser.add_argument("--out", help="output file (default tests/fixtures/sdk-contract/<sdk>-<version>.json)")
    parser.add_argument("--check", action="store_true", help="compare with the output file instead of writing it")
    args = parser.parse_args()
    out = args.out or os.path.join(ROOT, "tests", "fixtures", "sdk-contract", f"{PACKAGE}-{args.version}.json")
    with tempfile.TemporaryDirectory() as tmp:
        wheel = args.wheel or download(args.version, tmp)
        m = re.fullmatch(rf"{PACKAGE}-([^-]+)-.*\.whl", os.path.basename(wheel))
        if not m or m.group(1) != args.version:
            fail(f"{wheel} is not a wheel of {PACKAGE} {args.version}")
        text = json.dumps(contract(wheel, args.version), indent=2, ensure_ascii=False) + "\n"
    if args.check:
        with open(out, encoding="utf-8") as f:
            same = f.read() == text
        print(f"{out}: {'up to date' if same else 'DIFFERS from what the wheel gives: re-run without --check'}")
        sys.exit(0 if same else 1)
    os.makedirs(os.path.dirname(out), exist_ok=True)
    with open(out, "w", encoding="utf-8") as f:
        f.write(text)
    print(f"wrote {os.path.relpath(out, ROOT)} ({len(json.loads(text)['actions'])} actions, wheel sha256 "
          f"{json.loads(text)['wheelSha256']})")


if __name__ == "__main__":
    main()
