#!/usr/bin/env python3
"""Write the engines' command-line flag lists used by `crates/benchmark/src` tests.

Reads the Python sources unpacked from the engines' PyPI wheels (`pip download <pkg>==<ver>
--no-deps`, `.py` files only) and prints one line per flag: `<tool>\t<flag>\t<file>:<line>`.
Usage: python3 tools/extract_engine_flags.py /work/research/src > crates/benchmark/src/engine_flags.txt

- vllm-serve (vllm 0.33.0): `add_argument("--…")` literals in engine/arg_utils.py and
  entrypoints/common/cli_args.py, plus the FrontendArgs dataclass fields, which
  `BaseFrontendArgs.add_cli_args` registers as `--{field.replace('_', '-')}`.
- vllm-bench-serve (vllm 0.33.0): literals in benchmarks/serve.py and benchmarks/datasets/datasets.py.
- sglang-launch-server (sglang 0.5.23): the `A[...]` fields of srt/arg_groups/fields/*.py, which
  `arg_utils.add_cli_args_from_dataclass` registers as `--{field.replace('_', '-')}` (or
  `cli_name`) plus `aliases`, skipping `no_cli=True`; and literals in srt/server_args.py.
- sglang-bench-serving (sglang 0.5.23): literals in benchmark/serving.py.
- sglang-router (sglang-router 0.3.2, `python -m sglang_router.launch_router`): the
  `add_argument` names in sglang_router/router_args.py, literals and `f"--{prefix}…"` with the
  empty prefix `launch_router` passes (`use_router_prefix=False`).
- dynamo-vllm, dynamo-sglang, dynamo-trtllm (ai-dynamo 1.6.1, `python3 -m dynamo.<engine>`):
  Dynamo's own flags, `flag_name="--…"` in dynamo/common/configuration/groups/runtime_args.py
  and dynamo/{vllm,sglang,trtllm}/backend_args.py; the vLLM and SGLang workers hand every
  other flag to the engine's parser (vLLM's `AsyncEngineArgs.add_cli_args`, SGLang's
  `ServerArgs.add_cli_args`); the TensorRT-LLM worker takes only its own.
Usage's root holds the unpacked wheels as vllm-0.33.0/, sglang-0.5.23/, sglang-router-0.3.2/
and ai-dynamo-1.6.1/.
"""
import re
import sys
from pathlib import Path

root = Path(sys.argv[1])
FLAG = re.compile(r'"(--[A-Za-z0-9][A-Za-z0-9_.-]*)"')
# `f"--{prefix}name"` with the empty prefix (sglang_router/router_args.py).
PREFIXED = re.compile(r'f"--\{prefix\}([A-Za-z0-9][A-Za-z0-9_.-]*)"')


def literals(tool, base, rel):
    """Flags given as string literals in add_argument(...) calls."""
    text = (base / rel).read_text()
    out = []
    for m in re.finditer(r"add_argument\(", text):
        # The call's arguments run to the matching parenthesis; the flag names are the
        # positional strings before the first keyword or `**` argument.
        depth, i = 1, m.end()
        while depth and i < len(text):
            depth += {"(": 1, ")": -1}.get(text[i], 0)
            i += 1
        head = re.split(r"\b[a-z_]+\s*=|\*\*", text[m.end(): i], maxsplit=1)[0]
        line = text.count("\n", 0, m.start()) + 1
        for f in FLAG.findall(head) + ["--" + p for p in PREFIXED.findall(head)]:
            out.append((tool, f, f"{rel}:{line}"))
    return out


def dynamo_flags(tool, base, rels):
    """Dynamo's `add_argument(parser, flag_name="--…", …)` helper calls."""
    out = []
    for rel in rels:
        text = (base / rel).read_text()
        for m in re.finditer(r'flag_name="(--[A-Za-z0-9][A-Za-z0-9_.-]*)"', text):
            out.append((tool, m.group(1), f"{rel}:{text.count(chr(10), 0, m.start()) + 1}"))
    return out


def dataclass_fields(tool, base, rel, classes):
    text = (base / rel).read_text()
    out = []
    for cls in classes:
        m = re.search(rf"^class {cls}\b.*?:\n(.*?)(?=^class |\Z)", text, re.S | re.M)
        body_start = text.count("\n", 0, m.start(1)) + 1
        for i, l in enumerate(m.group(1).splitlines()):
            fm = re.match(r"^    ([a-z][a-z0-9_]*)\s*:\s*[^=]", l)
            if fm:
                out.append((tool, "--" + fm.group(1).replace("_", "-"), f"{rel}:{body_start + i}"))
    return out


def sglang_fields(tool, base):
    out = []
    for path in sorted((base / "srt/arg_groups/fields").glob("*.py")):
        rel = path.relative_to(base).as_posix()
        text = path.read_text()
        for m in re.finditer(r"^    ([a-z][a-z0-9_]*)\s*:\s*A\[", text, re.M):
            # The annotation runs to the matching bracket.
            depth, i = 1, m.end()
            while depth and i < len(text):
                depth += {"[": 1, "]": -1}.get(text[i], 0)
                i += 1
            ann = text[m.end(): i]
            if re.search(r"no_cli\s*=\s*True", ann):
                continue
            line = text.count("\n", 0, m.start()) + 1
            cli = re.search(r'cli_name\s*=\s*"(--[^"]+)"', ann)
            names = [cli.group(1) if cli else "--" + m.group(1).replace("_", "-")]
            al = re.search(r"aliases\s*=\s*\[([^\]]*)\]", ann)
            if al:
                names += FLAG.findall(al.group(1))
            out += [(tool, n, f"{rel}:{line}") for n in names]
    return out


rows = []
v = root / "vllm-0.33.0/vllm"
rows += literals("vllm-serve", v, "engine/arg_utils.py")
rows += literals("vllm-serve", v, "entrypoints/common/cli_args.py")
rows += dataclass_fields("vllm-serve", v, "entrypoints/common/cli_args.py", ["BaseFrontendArgs", "FrontendArgs"])
rows += literals("vllm-bench-serve", v, "benchmarks/serve.py")
rows += literals("vllm-bench-serve", v, "benchmarks/datasets/datasets.py")
s = root / "sglang-0.5.23/sglang"
rows += sglang_fields("sglang-launch-server", s)
rows += literals("sglang-launch-server", s, "srt/server_args.py")
rows += literals("sglang-bench-serving", s, "benchmark/serving.py")
rows += literals("sglang-router", root / "sglang-router-0.3.2/sglang_router", "router_args.py")
d = root / "ai-dynamo-1.6.1/dynamo"
runtime = "common/configuration/groups/runtime_args.py"
rows += dynamo_flags("dynamo-vllm", d, [runtime, "vllm/backend_args.py"])
rows += dynamo_flags("dynamo-sglang", d, [runtime, "sglang/backend_args.py"])
rows += dynamo_flags("dynamo-trtllm", d, [runtime, "trtllm/backend_args.py"])

print("# Engine command-line flags, extracted by tools/extract_engine_flags.py from the engines' PyPI wheels:")
print("# vllm==0.33.0 (vllm-serve, vllm-bench-serve), sglang==0.5.23 (sglang-launch-server, sglang-bench-serving),")
print("# sglang-router==0.3.2 (sglang-router), ai-dynamo==1.6.1 (dynamo-vllm, dynamo-sglang, dynamo-trtllm: Dynamo's own flags).")
print("# tool<TAB>flag<TAB>file:line (path inside the package)")
seen = set()
for tool, flag, where in rows:
    if (tool, flag) in seen:
        continue
    seen.add((tool, flag))
    print(f"{tool}\t{flag}\t{where}")
