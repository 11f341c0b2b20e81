#!/usr/bin/env python3
"""Distil NVIDIA's published per-kernel measurements (aiconfigurator-core 0.12.0, Apache-2.0)
into the compact utilisation tables of `data/kernels/`, with the sanity report
`data/kernels/SANITY.md` and an unchanged copy of the package's end-to-end sample
(`data/calibration/aiconfigurator-silicon-sample.csv`).

Usage (through the wrapper, which pins and checks the wheel):
    tools/distil/run            # write the tables
    tools/distil/run --check    # re-distil into a scratch dir, compare byte for byte
Directly: distil.py --wheel WHEEL --root CHECKOUT [--check]

The wheel is read as a zip: nothing is unpacked. For every system × backend it picks the
version the package itself queries by default (`systems/query_versions.yaml`, falling back to
the newest older version that has the table, never a newer one), keeps only the measured
points on log-spaced grids (no interpolation here), converts each latency into a utilisation
against that GPU's own figures (`systems/<system>.yaml`), drops points that fail the sanity
checks, and writes one text file per system × backend in the format of `tools/distil/FORMAT.md`.

Design decision: a table holds ROOFLINE utilisation, u = max(flops/peak, bytes/bandwidth) /
measured time, not latency. It is compute utilisation where the shape is compute-bound and
memory (or link) utilisation where it is bandwidth-bound, so one number per point is
comparable across GPUs, lies in (0, 1] by physics (which makes the range check meaningful), and
varies slowly along the axes (so log-spaced grids lose little). A reader recovers the time as
roofline / u with the roofline formula of FORMAT.md and the peaks written in the file's header.
"""
import argparse
import collections
import gzip
import hashlib
import math
import re
import statistics
import sys
import tempfile
import zipfile
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import yaml

# ---------------------------------------------------------------------------------------------
# The pinned source. The sha256 was recorded from `pip download aiconfigurator-core==0.12.0
# --no-deps` (PyPI, 2026-12-07); tools/distil/run checks it before this script runs.
PACKAGE = "aiconfigurator-core"
PACKAGE_VERSION = "0.12.0"
WHEEL = "aiconfigurator_core-0.12.0-cp311-abi3-manylinux_2_28_x86_64.whl"
WHEEL_SHA256 = "aadc4aad0a00bf8a61c477c62bef43de479849c3aa0b1c3078068e08309eccc4"
PREFIX = "aiconfigurator_core/systems/"
# The package's own notice (SPDX header of every file under systems/).
COPYRIGHT = "Copyright (c) 2026 NVIDIA CORPORATION & AFFILIATES. All rights reserved."

# The systems with measurements for the three engines (the package also has b60, an Intel GPU
# with vLLM tables only, and empty folders for a100_pcie, a30, h100_pcie, l4).
SYSTEMS = ["a100_sxm", "h100_sxm", "h200_sxm", "b200_sxm", "gb200", "b300_sxm", "gb300",
           "rtx_pro_6000_server", "l40s"]
BACKENDS = ["trtllm", "vllm", "sglang"]

# ---------------------------------------------------------------------------------------------
# Grids: every value is a measured point of the source tables (they are collected on powers of
# two, with extra points in between). Coarser (powers of 4) where the budget needs it.
POW2 = [2 ** i for i in range(31)]
GEMM_M = [1, 4, 16, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384]   # tokens; powers of 2 near the ridge
GEMM_N = [256, 1024, 4096, 16384, 65536]      # output features (32768 is not measured)
GEMM_K = [1024, 4096, 16384]                  # input features (a model's hidden or FFN width / TP)
CTX_H = [2, 8, 32]                            # query heads per GPU; kv heads = ceil(h / 8)
CTX_B = [1, 4, 16, 64, 256]                   # sequences
CTX_S = POW2[7:15]                            # 128 … 16384 prompt tokens
CTX_D = [128, 64]                             # head dim
GEN_H = CTX_H
GEN_B = [1, 4, 16, 64, 256, 1024]             # sequences decoding one token each
GEN_S = [64, 256, 1024, 4096, 8192, 32768, 65536]   # KV length
# GEN_S: the decode collection stops near b·s = 2^18–2^19 cached tokens (H200 TensorRT-LLM,
# h 32: b 1024 up to s 256, b 256 up to 1024, b 64 up to 8192, b 16 up to 32768), and a hole
# past a row's last measured length is clamped to it: so the grid holds each row's last length.
# On powers of 4 alone (16, …, 4096, 16384, 65536) b 64 read s 4096's u 0.715 from there on,
# where 0.809 was measured at 8192 (issue 11). s 16 left out to stay in the size budget: a
# decode step over 16 cached tokens is timed at s 64's u (its attention is negligible there).
MLA_GEN_S = [16, 64, 256, 1024, 4096, 16384, 65536]   # MLA KV length (GEN_S's budget is the GQA tables')
GQA = 8                                       # kv heads = ceil(h / GQA) in the attention tables
MOE_T = [1, 4, 16, 64, 256, 1024, 4096, 16384]    # tokens entering the MoE layer
MOE_PAR = [(1, 8)]                            # (moe_tp, moe_ep): one rank of 8-way expert parallelism
MOE_DIST = "power_law_1.01"                   # routing of the main MoE tables (see moe_tables)
MOE_OTHER_DISTS = ["balanced", "power_law_1.2"]   # the imbalance tables, relative to MOE_DIST
MLA_H = [16, 128]                             # MLA heads per GPU (DeepSeek-V3: 128 / TP)
COMM_BYTES = POW2[10:29:2]                    # 1 KiB … 256 MiB

# Bytes per element and compute rate by the tables' dtype names. Block-scaled formats carry
# their scales: fp8_block 1×128 activation tiles and 128×128 weight blocks with fp32 scales
# (DeepSeek-V3 technical report, arXiv:2412.19437, §3.3.2); NVFP4 one fp8 E4M3 scale per 16
# values (NVIDIA, "Introducing NVFP4 for Efficient and Accurate Low-Precision Inference", 2025);
# MXFP4 one E8M0 scale per 32 values (OCP Microscaling Formats MX v1.0). Output: bf16.
#            table dtype:   (name, rate, activation B/elt, weight B/elt)
DTYPES = {
    "bfloat16": ("bf16", "bf16", 2.0, 2.0),
    "fp8": ("fp8", "fp8", 1.0, 1.0),
    "fp8_block": ("fp8_block", "fp8", 1.0 + 4 / 128, 1.0 + 4 / (128 * 128)),
    "nvfp4": ("nvfp4", "fp4", 0.5 + 1 / 16, 0.5 + 1 / 16),
    "w4a16_mxfp4": ("w4a16_mxfp4", "bf16", 2.0, 0.5 + 1 / 32),
}
GEMM_DTYPES = ["bfloat16", "fp8", "fp8_block", "nvfp4"]
MOE_DTYPES = ["bfloat16", "fp8", "fp8_block", "nvfp4", "w4a16_mxfp4"]
ATTN_BYTES = {"bfloat16": 2.0, "fp8": 1.0}
OUT_BYTES = 2.0
PEAK_KEYS = {"bf16": "bfloat16_tc_flops", "fp8": "fp8_tc_flops", "fp4": "fp4_tc_flops"}

# MoE shapes whose experts are not gated (relu², two matrices instead of three): the package's
# TensorRT-LLM tables label their rows `moe_torch_flow_nongated` (Nemotron-H family). Left out:
# the other engines' tables do not say which kernel ran them.
NONGATED = {(2688, 1856, 6, 128), (1024, 2688, 22, 512), (2048, 5120, 22, 512),
            (4096, 2688, 22, 512), (8192, 5120, 22, 512)}

# DeepSeek-V3 MLA dimensions (data/model-configs/deepseek-ai--DeepSeek-V3.json: kv_lora_rank
# 512, qk_rope_head_dim 64, qk_nope_head_dim 128, v_head_dim 128), which the package's MLA
# tables are collected for (its MLA module tables name deepseek-ai/DeepSeek-V3).
MLA_QK, MLA_V, MLA_LATENT, MLA_ROPE = 192, 128, 512, 64

# bus bandwidth = algorithm bandwidth × factor (nccl-tests doc/PERFORMANCE.md).
BUS_FACTOR = {"all_reduce": lambda n: 2 * (n - 1) / n, "all_gather": lambda n: (n - 1) / n,
              "reduce_scatter": lambda n: (n - 1) / n, "alltoall": lambda n: (n - 1) / n}
NCCL_OPS = ["all_reduce", "all_gather", "reduce_scatter", "alltoall"]
# The NCCL tables: the 2.29.2 folder where there is one (its rows say 2.29.2; some older folders
# hold rows labelled 2.29.2 twice over), else the only one (a100_sxm, l40s: 2.27.3).
NCCL_PREFERRED = "2.29.2"

# Sanity tolerances. Times: CUDA events time with "a resolution of around 0.5 microseconds"
# (CUDA Runtime API, cudaEventElapsedTime): 1 µs absolute slack (two ticks) plus 5 % relative
# for run-to-run noise. GEMM utilisation along m: 10 % (a step of m doubles the work; a drop of
# more than 10 % in utilisation is more than tile or wave quantisation explains at powers of 2).
# Across GPUs: a whole table whose median time is more than 25 % above a dominated GPU's is a
# systematic inversion (clocks and run-to-run noise stay within that); a single point is flagged
# only beyond 2× plus the difference of the two tables' latency floors (their smallest measured
# times: a GPU with more throughput may carry a higher fixed cost per kernel) plus the 1 µs timer
# slack, since at small sizes a larger L2, a higher clock or a different kernel legitimately make
# a GPU with lower peaks faster by up to ~1.5-2× (seen throughout these tables: L40S and RTX PRO
# 6000, 96 and 128 MB of L2, against H100's 50 MB).
TIME_TOL, TIME_SLACK_MS = 0.05, 0.001
GEMM_UTIL_TOL = 0.10
CROSS_TABLE_TOL, CROSS_POINT_TOL = 0.25, 1.0
# The floor difference allowed is at most 20 µs, the upper bound the planner admits for a fixed
# per-collective cost (`collective_latency_us`, docs/perf-params.md): a table whose every point
# carries more (vLLM's fp8_block GEMMs on Blackwell, ~0.3 ms at m = 1) is itself the anomaly.
FLOOR_CAP_MS = 0.020
# A collective line whose bus bandwidth is below half the fewest GPUs' (`check_topology`): an
# assumption, set between what the tables hold: the NVLink systems at 0.79-1.68× the 2-GPU bus
# bandwidth, RTX PRO 6000's PCIe (peer to peer) at 0.59-0.86×, L40S's legacy collection (NCCL
# 2.27.3 and every engine's default custom all-reduce) at 0.20-0.27× (4 GPUs) and 0.07-0.11× (8),
# where the package's other L40S collection, SGLang 0.5.12's custom all-reduce, measures 1.19×
# (4) and 1.16× (8) at 256 MiB, as ring all-reduce on peers does.
TOPOLOGY_TOL = 0.5
# Attention tables are compared only from an older or the same architecture to a newer one:
# Blackwell Ultra (sm 103: b300_sxm, gb300) doubles the SFU throughput for the softmax
# exponentials of attention (NVIDIA, "Inside NVIDIA Blackwell Ultra", 2025), which no peak figure
# shows, and RTX PRO 6000 (sm 120) runs other attention kernels than the datacentre parts.
ATTENTION_KINDS = {"attn_ctx", "attn_gen", "mla_ctx", "mla_gen"}


# ---------------------------------------------------------------------------------------------
def vkey(v):
    """PEP 440 order for the package's version folder names (1.3.0rc20, 0.5.6.post2, 0.1.dev19)."""
    m = re.fullmatch(r"(\d+(?:\.\d+)*)(?:(a|b|rc)(\d+))?(?:\.post(\d+))?(?:\.dev(\d+))?", v)
    if not m:
        raise ValueError(f"unparsed version folder {v}")
    rel = tuple(int(x) for x in m.group(1).split(".")) + (0,) * (4 - m.group(1).count(".") - 1)
    pre = {"a": 0, "b": 1, "rc": 2}.get(m.group(2), 3)
    if m.group(5) is not None and m.group(2) is None and m.group(4) is None:
        pre = -1
    return rel, pre, int(m.group(3) or 0), int(m.group(4) or -1), int(m.group(5) or 1 << 30)


def g3(x):
    """Three significant digits, shortest text Python's and Rust's float parsers both read."""
    return f"{x:.3g}"


class Wheel:
    """The pinned wheel, read in place."""

    def __init__(self, path):
        self.zf = zipfile.ZipFile(path)
        self.names = sorted(n for n in self.zf.namelist() if n.startswith(PREFIX))

    def raw(self, rel):
        return self.zf.read(PREFIX + rel)

    def yaml(self, rel):
        return yaml.safe_load(self.raw(rel))

    def versions(self, system, family, backend, filename):
        pat = re.compile(re.escape(f"{PREFIX}data/{system}/{family}/{backend}/") + r"([^/]+)/"
                         + re.escape(filename) + "$")
        return sorted({m.group(1) for n in self.names if (m := pat.match(n))}, key=vkey)

    def rows(self, rel, columns, where):
        """Rows of a parquet table as dicts, keeping only rows whose columns take listed values."""
        t = pq.read_table(pa.BufferReader(self.raw(rel)))
        cols = [c for c in columns if c in t.column_names]
        t = t.select(cols)
        for col, allowed in where.items():
            if col in t.column_names:
                t = t.filter(pc.is_in(t[col], value_set=pa.array(allowed, type=t[col].type)))
        return t.to_pylist()


class Cell:
    __slots__ = ("u", "t_ms")

    def __init__(self, u, t_ms):
        self.u, self.t_ms = u, t_ms


class Table:
    """One table: attributes, axes, and measured cells by index tuple."""

    def __init__(self, kind, attrs, axes, src, kernels, rate=None, uses_hbm=True, link=False,
                 value="u"):
        self.kind, self.attrs, self.axes = kind, attrs, axes
        self.src, self.kernels = src, sorted(kernels)
        self.rate, self.uses_hbm, self.link, self.value = rate, uses_hbm, link, value
        self.cells = {}
        self.excluded = {}  # index -> (check, text)
        self.floor = 0.0    # smallest measured time (ms), set by check_range

    def label(self):
        return " ".join([self.kind] + [f"{k}={v}" for k, v in self.attrs])

    def line(self):
        rate = [f"rate={self.rate}"] if self.rate else []
        return " ".join(["table", self.label()] + rate + [f"src={self.src}"])

    def point(self, idx):
        return " ".join(f"{name}={vals[i]}" for (name, vals), i in zip(self.axes, idx))

    def lines(self, idx, axis):
        """Index tuples of the line through `idx` along `axis`, in axis order."""
        out = []
        for i in range(len(self.axes[axis][1])):
            j = list(idx)
            j[axis] = i
            out.append(tuple(j))
        return out


class Source:
    """What one system × backend reads: versions, figures, rows."""

    def __init__(self, wheel, system, backend, defaults):
        self.wheel, self.system, self.backend = wheel, system, backend
        self.default = defaults[(system, backend)]
        spec = wheel.yaml(f"{system}.yaml")
        self.gpu, self.node = spec["gpu"], spec["node"]
        self.peak = {r: self.gpu[k] for r, k in PEAK_KEYS.items() if k in self.gpu}
        self.hbm = self.gpu["mem_bw"]
        self.link = self.node["intra_node_bw"]
        self.gpus_per_node = self.node["num_gpus_per_node"]

    def pick(self, family, filename, backend=None):
        """The version folder the package would query: the default, else the newest older one."""
        backend = backend or self.backend
        vs = self.wheel.versions(self.system, family, backend, filename)
        ok = [v for v in vs if vkey(v) <= vkey(self.default)]
        if not ok:
            return None, None
        v = ok[-1]
        return f"data/{self.system}/{family}/{backend}/{v}/{filename}", f"{family}/{backend}/{v}"


def roofline_u(t_ms, flops, peak, nbytes, bw):
    return max(flops / peak, nbytes / bw) / (t_ms * 1e-3)


def best_latency(rows, key):
    """Minimum latency per key over kernel sources and repeats (the fastest kernel the engine has)."""
    best, kernels = {}, collections.defaultdict(set)
    for r in rows:
        k = key(r)
        if r["latency"] is None or not r["latency"] > 0:
            continue
        if k not in best or r["latency"] < best[k]:
            best[k] = r["latency"]
        kernels[k[0]].add(r.get("kernel_source") or "?")
    return best, kernels


# ---------------------------------------------------------------------------------------------
# Table builders
def gemm_tables(s):
    rel, src = s.pick("gemm", "gemm_perf.parquet")
    if not rel:
        return []
    rows = s.wheel.rows(rel, ["gemm_dtype", "m", "n", "k", "latency", "kernel_source"],
                        {"m": GEMM_M, "n": GEMM_N, "k": GEMM_K})
    best, kernels = best_latency(rows, lambda r: (r["gemm_dtype"], r["n"], r["k"], r["m"]))
    out = []
    for dt in GEMM_DTYPES:
        name, rate, a, w = DTYPES[dt]
        if dt not in kernels or rate not in s.peak:
            continue
        t = Table("gemm", [("dtype", name)], [("n", GEMM_N), ("k", GEMM_K), ("m", GEMM_M)],
                  src, kernels[dt], rate=rate)
        for i, n in enumerate(GEMM_N):
            for j, k in enumerate(GEMM_K):
                for l, m in enumerate(GEMM_M):
                    lat = best.get((dt, n, k, m))
                    if lat:
                        flops = 2.0 * m * n * k
                        nbytes = m * k * a + n * k * w + m * n * OUT_BYTES
                        t.cells[(i, j, l)] = Cell(roofline_u(lat, flops, s.peak[rate], nbytes, s.hbm), lat)
        out.append(t)
    return out


def attention_tables(s):
    out = []
    heads = {h: max(1, math.ceil(h / GQA)) for h in CTX_H}
    rel, src = s.pick("attention", "context_attention_perf.parquet")
    if rel:
        rows = s.wheel.rows(rel, ["batch_size", "isl", "num_heads", "num_key_value_heads", "head_dim",
                                  "window_size", "beam_width", "attn_dtype", "kv_cache_dtype", "step",
                                  "latency", "kernel_source"],
                            {"batch_size": CTX_B, "isl": CTX_S, "num_heads": CTX_H, "head_dim": CTX_D,
                             "window_size": [0], "beam_width": [1], "step": [0]})
        rows = [r for r in rows if r["num_key_value_heads"] == heads[r["num_heads"]]]
        best, kernels = best_latency(rows, lambda r: ((r["attn_dtype"], r["kv_cache_dtype"], r["head_dim"]),
                                                      r["num_heads"], r["batch_size"], r["isl"]))
        for combo in [("bfloat16", "bfloat16", 128), ("bfloat16", "fp8", 128), ("bfloat16", "bfloat16", 64)]:
            q, kv, d = combo
            rate = DTYPES[q][1]
            if combo not in kernels or rate not in s.peak:
                continue
            t = Table("attn_ctx", [("q", DTYPES[q][0]), ("kv", DTYPES[kv][0]), ("d", d), ("gqa", GQA)],
                      [("h", CTX_H), ("b", CTX_B), ("s", CTX_S)], src, kernels[combo], rate=rate)
            for i, h in enumerate(CTX_H):
                for j, b in enumerate(CTX_B):
                    for l, sl in enumerate(CTX_S):
                        lat = best.get((combo, h, b, sl))
                        if lat:
                            flops = 2.0 * b * h * d * sl * sl          # causal: half of 4·s²·d
                            nbytes = b * sl * d * (2 * h * ATTN_BYTES[q] + 2 * heads[h] * ATTN_BYTES[kv])
                            t.cells[(i, j, l)] = Cell(roofline_u(lat, flops, s.peak[rate], nbytes, s.hbm), lat)
            out.append(t)
    rel, src = s.pick("attention", "generation_attention_perf.parquet")
    if rel:
        rows = s.wheel.rows(rel, ["batch_size", "isl", "num_heads", "num_key_value_heads", "head_dim",
                                  "window_size", "beam_width", "attn_dtype", "kv_cache_dtype", "step",
                                  "latency", "kernel_source"],
                            {"batch_size": GEN_B, "num_heads": GEN_H, "head_dim": CTX_D,
                             "window_size": [0], "beam_width": [1], "attn_dtype": ["bfloat16"]})
        rows = [r for r in rows if r["num_key_value_heads"] == heads[r["num_heads"]]
                and r["isl"] + r["step"] in GEN_S]
        best, kernels = best_latency(rows, lambda r: ((r["kv_cache_dtype"], r["head_dim"]), r["num_heads"],
                                                      r["batch_size"], r["isl"] + r["step"]))
        for combo in [("bfloat16", 128), ("fp8", 128), ("bfloat16", 64)]:
            kv, d = combo
            if combo not in kernels:
                continue
            t = Table("attn_gen", [("q", "bf16"), ("kv", DTYPES[kv][0]), ("d", d), ("gqa", GQA)],
                      [("h", GEN_H), ("b", GEN_B), ("s", GEN_S)], src, kernels[combo], rate="bf16")
            for i, h in enumerate(GEN_H):
                for j, b in enumerate(GEN_B):
                    for l, sl in enumerate(GEN_S):
                        lat = best.get((combo, h, b, sl))
                        if lat:
                            flops = 4.0 * b * h * d * sl
                            nbytes = b * sl * 2 * heads[h] * d * ATTN_BYTES[kv] + b * h * d * 2 * OUT_BYTES
                            t.cells[(i, j, l)] = Cell(roofline_u(lat, flops, s.peak["bf16"], nbytes, s.hbm), lat)
            out.append(t)
    return out


def mla_tables(s):
    out = []
    for fname, kind in [("context_mla_perf.parquet", "mla_ctx"), ("generation_mla_perf.parquet", "mla_gen")]:
        rel, src = s.pick("mla", fname)
        if not rel:
            continue
        ax_b, ax_s = (CTX_B, CTX_S) if kind == "mla_ctx" else (GEN_B, MLA_GEN_S)
        rows = s.wheel.rows(rel, ["mla_dtype", "kv_cache_dtype", "num_heads", "batch_size", "isl", "step",
                                  "latency", "kernel_source"],
                            {"num_heads": MLA_H, "batch_size": ax_b, "mla_dtype": ["bfloat16"]})
        if kind == "mla_ctx":
            rows = [dict(r, s=r["isl"]) for r in rows if r["step"] == 0 and r["isl"] in ax_s]
        else:
            rows = [dict(r, s=r["isl"] + r["step"]) for r in rows if r["isl"] + r["step"] in ax_s]
        best, kernels = best_latency(rows, lambda r: (r["kv_cache_dtype"], r["num_heads"], r["batch_size"], r["s"]))
        for kv in ["bfloat16"] if kind == "mla_ctx" else ["bfloat16", "fp8"]:
            if kv not in kernels:
                continue
            # With an fp8 cache the decode kernels compute in fp8: on Blackwell they beat the bf16
            # roofline by up to 20 % (u = 1.2 at b = 256, s = 65536 on b300_sxm against bf16).
            rate = "fp8" if kind == "mla_gen" and kv == "fp8" and "fp8" in s.peak else "bf16"
            t = Table(kind, [("q", "bf16"), ("kv", DTYPES[kv][0])], [("h", MLA_H), ("b", ax_b), ("s", ax_s)],
                      src, kernels[kv], rate=rate)
            for i, h in enumerate(MLA_H):
                for j, b in enumerate(ax_b):
                    for l, sl in enumerate(ax_s):
                        lat = best.get((kv, h, b, sl))
                        if not lat:
                            continue
                        if kind == "mla_ctx":
                            flops = b * h * sl * sl * (MLA_QK + MLA_V)      # causal half of 2·s²·(qk+v)
                            nbytes = b * sl * h * (2 * MLA_QK + 2 * MLA_V) * 2.0
                        else:
                            lat_dim = MLA_LATENT + MLA_ROPE
                            flops = 2.0 * b * h * sl * (lat_dim + MLA_LATENT)
                            nbytes = b * sl * lat_dim * ATTN_BYTES[kv] + b * h * (lat_dim + MLA_LATENT) * 2.0
                        t.cells[(i, j, l)] = Cell(roofline_u(lat, flops, s.peak[rate], nbytes, s.hbm), lat)
            out.append(t)
    return out


def moe_tables(s):
    """MoE layer (routing excluded: grouped GEMMs, activation, the permutation around them) of one
    rank, under the package's power-law routing; and how other routings change its time.

    The main tables use power_law_1.01: the package's default workload is "power_law"
    (sdk/config.py `workload_distribution`), 1.01 is the milder of its two exponents, and it is
    the only routing every table has (a100_sxm's trtllm and vllm tables have no balanced rows)."""
    rel, src = s.pick("moe", "moe_perf.parquet")
    if not rel:
        return [], []
    rows = s.wheel.rows(rel, ["moe_dtype", "num_tokens", "hidden_size", "inter_size", "topk", "num_experts",
                              "moe_tp_size", "moe_ep_size", "distribution", "latency", "kernel_source"],
                        {"num_tokens": MOE_T, "moe_dtype": MOE_DTYPES, "moe_tp_size": [1], "moe_ep_size": [1, 8]})
    rows = [r for r in rows if (r["hidden_size"], r["inter_size"], r["topk"], r["num_experts"]) not in NONGATED]
    best, kernels = best_latency(rows, lambda r: ((r["moe_dtype"], r["distribution"]), r["hidden_size"],
                                                  r["inter_size"], r["topk"], r["num_experts"], r["moe_tp_size"],
                                                  r["moe_ep_size"], r["num_tokens"]))
    shapes = sorted({k[1:7] for k in best if k[5:7] in MOE_PAR})
    out = []
    for dt in MOE_DTYPES:
        name, rate, a, w = DTYPES[dt]
        if (dt, MOE_DIST) not in kernels or rate not in s.peak:
            continue
        for (h, inter, topk, e, tp, ep) in shapes:
            if not any(((dt, MOE_DIST), h, inter, topk, e, tp, ep, tk) in best for tk in MOE_T):
                continue
            t = Table("moe", [("dtype", name), ("hidden", h), ("inter", inter), ("topk", topk), ("experts", e),
                              ("tp", tp), ("ep", ep), ("dist", MOE_DIST)], [("tokens", MOE_T)], src,
                      kernels[(dt, MOE_DIST)], rate=rate)
            for l, tk in enumerate(MOE_T):
                lat = best.get(((dt, MOE_DIST), h, inter, topk, e, tp, ep, tk))
                if not lat:
                    continue
                assign = tk * topk / ep
                inter_l = inter / tp
                touched = (e / ep) * (1.0 - (1.0 - topk / e) ** tk)
                flops = 2.0 * assign * h * inter_l * 3
                nbytes = touched * 3 * h * inter_l * w + assign * h * (a + OUT_BYTES)
                t.cells[(l,)] = Cell(roofline_u(lat, flops, s.peak[rate], nbytes, s.hbm), lat)
            out.append(t)
    # Imbalance: time under another routing over time under MOE_DIST, the median over every
    # dtype and shape measured both ways, for tp = 1 and ep ∈ {1, 8}.
    imb = []
    for dist in MOE_OTHER_DISTS:
        t = Table("moe_routing", [("dist", dist), ("vs", MOE_DIST)], [("ep", [1, 8]), ("tokens", MOE_T)], src, [],
                  value="ratio")
        for i, ep in enumerate([1, 8]):
            for l, tk in enumerate(MOE_T):
                ratios = []
                for k, lat in sorted(best.items()):
                    (dt, d), h, inter, topk, e, tp_, ep_, tk_ = k
                    if d == MOE_DIST and tp_ == 1 and ep_ == ep and tk_ == tk:
                        other = best.get(((dt, dist), h, inter, topk, e, tp_, ep_, tk_))
                        if other:
                            ratios.append(other / lat)
                if ratios:
                    t.cells[(i, l)] = Cell(statistics.median(ratios), None)
        if t.cells:
            imb.append(t)
    # The wait for the most loaded rank at 8-way expert parallelism, by experts per rank: the
    # balanced time over the MOE_DIST time, the median over every dtype and shape with that many
    # experts on a rank. A rank holding one expert (Mixtral's 8 at EP 8) waits for the most
    # requested expert; one holding 32 (256 experts) averages the skew out, so the one median of
    # `moe_routing` (dominated by shapes of 128 and more experts) cannot stand for both.
    ep = MOE_PAR[0][1]
    pairs = collections.defaultdict(list)   # (experts per rank, tokens) -> ratios
    for k, lat in sorted(best.items()):
        (dt, d), h, inter, topk, e, tp_, ep_, tk = k
        other = best.get(((dt, "balanced"), h, inter, topk, e, tp_, ep_, tk))
        if d == MOE_DIST and tp_ == 1 and ep_ == ep and e % ep == 0 and other:
            pairs[(e // ep, tk)].append(other / lat)
    local = sorted({lo for lo, _ in pairs})
    t = Table("moe_rank_load", [("dist", "balanced"), ("vs", MOE_DIST), ("ep", ep)],
              [("local", local), ("tokens", MOE_T)], src, [], value="ratio")
    for i, lo in enumerate(local):
        for l, tk in enumerate(MOE_T):
            if pairs.get((lo, tk)):
                t.cells[(i, l)] = Cell(statistics.median(pairs[(lo, tk)]), None)
    if t.cells:
        imb.append(t)
    return out, imb


def comm_tables(s):
    out = []
    vs = s.wheel.versions(s.system, "comm", "nccl", "nccl_perf.parquet")
    if vs:
        v = NCCL_PREFERRED if NCCL_PREFERRED in vs else vs[-1]
        rel = f"data/{s.system}/comm/nccl/{v}/nccl_perf.parquet"
        rows = s.wheel.rows(rel, ["op_name", "nccl_dtype", "num_gpus", "message_size", "latency", "kernel_source"],
                            {"nccl_dtype": ["half"]})
        gpus = sorted({r["num_gpus"] for r in rows})
        best, kernels = best_latency(rows, lambda r: (r["op_name"], r["num_gpus"], r["message_size"] * 2))
        for op in NCCL_OPS:
            if op not in kernels:
                continue
            t = Table("nccl", [("op", op)], [("gpus", gpus), ("bytes", COMM_BYTES)], f"comm/nccl/{v}",
                      kernels[op], uses_hbm=False, link=True)
            for i, n in enumerate(gpus):
                for l, nb in enumerate(COMM_BYTES):
                    lat = best.get((op, n, nb))
                    if lat:
                        t.cells[(i, l)] = Cell(BUS_FACTOR[op](n) * nb / (lat * 1e-3) / s.link, lat)
            out.append(t)
    rel, src = s.pick("comm", "custom_allreduce_perf.parquet")
    if rel:
        rows = s.wheel.rows(rel, ["allreduce_dtype", "num_gpus", "message_size", "latency", "kernel_source"],
                            {"allreduce_dtype": ["bfloat16"]})
        # vLLM and SGLang measure eager and CUDA-graph runs; serving decodes under graphs.
        rows = [r for r in rows if "eager" not in (r.get("kernel_source") or "")]
        gpus = sorted({r["num_gpus"] for r in rows})
        best, kernels = best_latency(rows, lambda r: ("ar", r["num_gpus"], r["message_size"] * 2))
        if best:
            t = Table("custom_ar", [("op", "all_reduce")], [("gpus", gpus), ("bytes", COMM_BYTES)], src,
                      kernels["ar"], uses_hbm=False, link=True)
            for i, n in enumerate(gpus):
                for l, nb in enumerate(COMM_BYTES):
                    lat = best.get(("ar", n, nb))
                    if lat:
                        t.cells[(i, l)] = Cell(BUS_FACTOR["all_reduce"](n) * nb / (lat * 1e-3) / s.link, lat)
            out.append(t)
    return out


# ---------------------------------------------------------------------------------------------
# Sanity checks
MONOTONE_TIME_AXES = {"gemm": ["m"], "attn_ctx": ["b", "s"], "attn_gen": ["b", "s"], "mla_ctx": ["b", "s"],
                      "mla_gen": ["b", "s"], "moe": ["tokens"], "nccl": ["bytes"], "custom_ar": ["bytes"]}


def longest_chain(vals, ok):
    """Indices of the longest subsequence in which every consecutive pair satisfies ok(prev, next)."""
    n = len(vals)
    best, prev = [1] * n, [-1] * n
    for j in range(n):
        for i in range(j):
            if ok(vals[i], vals[j]) and best[i] + 1 > best[j]:
                best[j], prev[j] = best[i] + 1, i
    if not n:
        return set()
    j = max(range(n), key=lambda x: (best[x], -x))
    keep = set()
    while j >= 0:
        keep.add(j)
        j = prev[j]
    return keep


def check_range(t):
    t.floor = min((c.t_ms for c in t.cells.values() if c.t_ms), default=0.0)
    for idx, c in list(t.cells.items()):
        if t.value == "u" and not (c.u > 0 and c.u <= 1 and math.isfinite(c.u)):
            t.excluded[idx] = ("range", f"u={g3(c.u)} (time {g3(c.t_ms)} ms)")
            del t.cells[idx]


def check_monotone(t):
    names = [a for a, _ in t.axes]
    rules = [(ax, "time") for ax in MONOTONE_TIME_AXES.get(t.kind, [])]
    if t.kind == "gemm":
        rules.append(("m", "util"))
    for ax_name, what in rules:
        ax = names.index(ax_name)
        seen = set()
        for idx in sorted(t.cells):
            base = idx[:ax] + (0,) + idx[ax + 1:]
            if base in seen:
                continue
            seen.add(base)
            line = [j for j in t.lines(base, ax) if j in t.cells]
            if what == "time":
                vals = [t.cells[j].t_ms for j in line]
                ok = lambda a, b: b >= a * (1 - TIME_TOL) - TIME_SLACK_MS
            else:  # compute utilisation, flops / (time × peak) ∝ m / time at fixed n, k
                vals = [t.axes[ax][1][j[ax]] / t.cells[j].t_ms for j in line]
                ok = lambda a, b: b >= a * (1 - GEMM_UTIL_TOL)
            keep = longest_chain(vals, ok)
            if len(keep) == len(line):
                continue
            unit = "ms" if what == "time" else "m per ms, ∝ compute utilisation"
            around = ", ".join(f"{t.axes[ax][1][j[ax]]}:{g3(v)}{'' if pos in keep else '*'}"
                               for pos, (j, v) in enumerate(zip(line, vals)))
            for pos, j in enumerate(line):
                if pos not in keep:
                    del t.cells[j]
                    t.excluded[j] = (f"monotone-{what}-{ax_name}", f"{what} ({unit}) along {ax_name} "
                                     f"(* removed): {around}")


def check_topology(t):
    """A collective's bus bandwidth does not fall with the GPU count where the GPUs reach each
    other directly: ring and tree algorithms move (n - 1)/n of the data per link whatever n, so
    nccl-tests report bus bandwidth to be comparable across rank counts (`doc/PERFORMANCE.md`).
    A GPU count whose bandwidth-bound points (where the fewest GPUs reach at least half their
    largest utilisation) are in median below TOPOLOGY_TOL of the fewest GPUs' measures a machine
    whose GPUs do not all reach each other peer to peer (traffic through the host's PCIe root
    complex): its line is removed whole, and a reader takes the nearest GPU count that has one."""
    if t.kind not in ("nccl", "custom_ar"):
        return
    first = {idx[1]: c.u for idx, c in t.cells.items() if idx[0] == 0}
    if not first:
        return
    bound = [l for l, u in first.items() if u >= 0.5 * max(first.values())]
    for i in range(1, len(t.axes[0][1])):
        ratios = [t.cells[(i, l)].u / first[l] for l in bound if (i, l) in t.cells]
        if not ratios or statistics.median(ratios) >= TOPOLOGY_TOL:
            continue
        med = statistics.median(ratios)
        for idx in [j for j in t.cells if j[0] == i]:
            t.excluded[idx] = ("topology", f"gpus={t.axes[0][1][i]} bus bandwidth {g3(med)}× that of "
                                           f"gpus={t.axes[0][1][0]} in median over its bandwidth-bound messages")
            del t.cells[idx]


def dominates(a, b, t):
    """Source a's GPU has every figure the table's kernel leans on at least as high as b's, one higher."""
    fa, fb = [], []
    if t.rate:
        if t.rate not in a.peak or t.rate not in b.peak:
            return False
        fa.append(a.peak[t.rate]), fb.append(b.peak[t.rate])
    if t.uses_hbm:
        fa.append(a.hbm), fb.append(b.hbm)
    if t.link:
        fa.append(a.link), fb.append(b.link)
    return all(x >= y for x, y in zip(fa, fb)) and any(x > y for x, y in zip(fa, fb))


def check_cross(files):
    """A GPU that dominates another must not be slower on the same kernel, engine and point.

    "Same kernel": the two tables name at least one kernel source in common (an engine that runs
    a different kernel on another architecture, e.g. vLLM's Triton MoE on Hopper and FlashInfer's
    CUTLASS MoE on Blackwell, is what that engine does there, not an anomaly). A table whose
    median ratio over the common points is beyond the tolerance is removed whole (a systematic
    inversion, such as a whole MoE table several times slower than an older GPU's); otherwise
    the points beyond it are. All comparisons use the tables as the first two checks left them."""
    by_key = collections.defaultdict(list)
    for src, tables in files:
        for t in tables:
            if t.value == "u":
                by_key[(src.backend, t.label())].append((src, t))
    worst, drop = [], {}

    def flag(tf, idx, ratio, text):
        if (id(tf), idx) not in drop or drop[(id(tf), idx)][0] < ratio:
            drop[(id(tf), idx)] = (ratio, tf, idx, text)

    for _, group in sorted(by_key.items()):
        for fast, tf in group:
            for slow, ts in group:
                if fast is slow or not dominates(fast, slow, tf) or not set(tf.kernels) & set(ts.kernels):
                    continue
                if tf.kind in ATTENTION_KINDS and fast.gpu["sm_version"] < slow.gpu["sm_version"]:
                    continue
                if [v for _, v in tf.axes] != [v for _, v in ts.axes]:
                    continue
                common = [idx for idx in sorted(tf.cells) if idx in ts.cells]
                if not common:
                    continue
                ratios = {idx: tf.cells[idx].t_ms / ts.cells[idx].t_ms for idx in common}
                slack = min(max(0.0, tf.floor - ts.floor), FLOOR_CAP_MS) + TIME_SLACK_MS
                # The table-level test discounts the difference of the latency floors, as the point test.
                med = statistics.median(max(0.0, tf.cells[i].t_ms - slack) / ts.cells[i].t_ms for i in common)
                if len(common) >= 4 and med > 1 + CROSS_TABLE_TOL:
                    for idx in tf.cells:
                        flag(tf, idx, med, ("cross-gpu-table", f"whole table: median {g3(med)}× the time on "
                                            f"{slow.system} over {len(common)} common points"))
                    worst.append((med, fast.system, slow.system, fast.backend, tf.label(), "whole table (median)",
                                  None, None))
                    continue
                for idx in common:
                    c, o = tf.cells[idx], ts.cells[idx]
                    if c.t_ms > o.t_ms * (1 + CROSS_POINT_TOL) + slack:
                        flag(tf, idx, ratios[idx], ("cross-gpu", f"{g3(c.t_ms)} ms on {fast.system} > "
                                                    f"{g3(o.t_ms)} ms on {slow.system} ({g3(ratios[idx])}×)"))
                        worst.append((ratios[idx], fast.system, slow.system, fast.backend, tf.label(),
                                      tf.point(idx), c.t_ms, o.t_ms))
    for ratio, tf, idx, why in drop.values():
        tf.excluded[idx] = why
        del tf.cells[idx]
    return worst


# ---------------------------------------------------------------------------------------------
# Output
def header(s):
    lines = [
        f"# From NVIDIA {PACKAGE} {PACKAGE_VERSION} (PyPI, sha256 {WHEEL_SHA256[:16]}…), systems/data/{s.system}/<src>/",
        f"# and systems/{s.system}.yaml; Apache-2.0, {COPYRIGHT}",
        "# Changed by tools/distil/distil.py: distilled to utilisation on log-spaced grids (see tools/distil/FORMAT.md,",
        "# data/kernels/README.md); points failing data/kernels/SANITY.md removed (-).",
        "kernels 1",
        f"system {s.system}",
        f"backend {s.backend} {s.default}",
    ]
    for r in ["bf16", "fp8", "fp4"]:
        if r in s.peak:
            lines.append(f"peak {r} {s.peak[r]}")
    lines += [f"hbm {s.hbm}", f"link {s.link}", f"gpus_per_node {s.gpus_per_node}"]
    return lines


def render(s, tables):
    out = header(s)
    said = {}
    for t in tables:
        if not t.cells:
            continue
        if t.kernels and said.get(t.kind) != t.kernels:
            out.append(f"# {t.kind} kernels: {' '.join(t.kernels)}")
            said[t.kind] = t.kernels
        out.append(t.line())
        for name, vals in t.axes:
            out.append(f"axis {name} " + " ".join(str(v) for v in vals))
        inner = len(t.axes[-1][1])
        outer = [len(v) for _, v in t.axes[:-1]]
        for flat in range(math.prod(outer) if outer else 1):
            idx, rem = [], flat
            for n in reversed(outer):
                idx.append(rem % n)
                rem //= n
            idx = tuple(reversed(idx))
            row = []
            for l in range(inner):
                c = t.cells.get(idx + (l,))
                row.append(g3(c.u) if c else "-")
            out.append(" ".join(row))
    return "\n".join(out) + "\n"


def sanity_report(files, worst, outputs, skipped):
    lines = ["# Kernel tables: sanity report", "",
             f"GENERATED by `tools/distil/distil.py` from {PACKAGE} {PACKAGE_VERSION} ({WHEEL}, sha256 "
             f"`{WHEEL_SHA256}`); do not edit. `tools/distil/run --check` re-creates it.", "",
             "Checks, in order (a point failing one is removed from the table and written `-`):", "",
             "1. **range** — 0 < u ≤ 1 (u is roofline utilisation against the file's own peaks; above 1 the",
             "   measurement is faster than the GPU's datasheet allows).",
             f"2. **monotone** — time non-decreasing along the axes where more work cannot take less time "
             f"(GEMM m; attention b and s; MoE tokens; collectives bytes), within {int(TIME_TOL * 100)} % + "
             f"{TIME_SLACK_MS * 1000:g} µs; GEMM utilisation non-decreasing in m within "
             f"{int(GEMM_UTIL_TOL * 100)} %. The longest chain that satisfies the rule is kept.",
             f"3. **cross-gpu** — a GPU whose figures the kernel leans on (the table's peak, HBM bandwidth, "
             f"link) are all at least another's, running a kernel of the same name on the same engine, is not "
             f"slower: a table whose median time over the common points is more than {int(CROSS_TABLE_TOL * 100)} % "
             f"above the other GPU's is removed whole (**cross-gpu-table**); otherwise a point more than "
             f"{1 + CROSS_POINT_TOL:g}× + the difference of the two tables' latency floors (smallest measured "
             f"times, at most {FLOOR_CAP_MS * 1000:g} µs) + {TIME_SLACK_MS * 1000:g} µs slower is removed (the "
             f"table test discounts the same floor difference). Attention tables are compared only towards "
             f"a newer or the same architecture (sm_version; Blackwell Ultra's faster softmax shows in no peak).",
             f"4. **topology** — a collective's bus bandwidth does not fall with the GPU count where the GPUs "
             f"reach each other directly (nccl-tests `doc/PERFORMANCE.md`): a GPU count whose bandwidth-bound "
             f"points (where the fewest GPUs reach half their largest utilisation) are in median below "
             f"{TOPOLOGY_TOL:g}× the fewest GPUs' is removed whole (a machine whose GPUs go through the host "
             f"to reach each other); a reader takes the nearest GPU count left.",
             "", "## Exclusions per file and table kind", "",
             "| file | kind | measured points kept | range | monotone | cross-gpu | topology |",
             "| --- | --- | --- | --- | --- | --- | --- |"]
    examples = collections.defaultdict(list)
    for s, tables in files:
        per = collections.OrderedDict()
        for t in tables:
            p = per.setdefault(t.kind, collections.Counter())
            p["kept"] += len(t.cells)
            for idx, (check, text) in sorted(t.excluded.items()):
                group = check.split("-")[0] if not check.startswith("cross") else "cross"
                p[group] += 1
                examples[(t.kind, group)].append(f"{s.system}.{s.backend} `{t.label()}` {t.point(idx)}: {text}")
        for kind, p in per.items():
            lines.append(f"| {s.system}.{s.backend} | {kind} | {p['kept']} | {p['range']} | {p['monotone']} | "
                         f"{p['cross']} | {p['topology']} |")
    tot = collections.Counter()
    for s, tables in files:
        for t in tables:
            tot["kept"] += len(t.cells)
            for _, (check, _) in t.excluded.items():
                tot["cross" if check.startswith("cross") else check.split("-")[0]] += 1
    lines.append(f"| **all** | | {tot['kept']} | {tot['range']} | {tot['monotone']} | {tot['cross']} | "
                 f"{tot['topology']} |")
    lines += ["", "## Examples (up to 6 per table kind and check)", ""]
    for (kind, group), ex in sorted(examples.items()):
        lines.append(f"- **{kind} / {group}** ({len(ex)}):")
        step = max(1, len(ex) // 6)
        for e in ex[::step][:6]:
            lines.append(f"  - {e}")
    whole = sorted({(w[1], w[3], w[4], w[2], w[0]) for w in worst if w[6] is None})
    lines += ["", "## Tables removed whole (systematic cross-GPU inversions)", "",
              "| GPU | engine | table | slower than | median ratio |", "| --- | --- | --- | --- | --- |"]
    for f, b, lab, sl, r in whole:
        lines.append(f"| {f} | {b} | `{lab}` | {sl} | {g3(r)}× |")
    worst = [w for w in worst if w[6] is not None]
    lines += ["", "## Largest cross-GPU inversions of single points", "",
              "| ratio | faster GPU | slower GPU | engine | table | point | ms (faster) | ms (slower) |",
              "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    for w in sorted(worst, key=lambda x: (-x[0], x[1:6]))[:25]:
        ms = [g3(x) if x is not None else "" for x in w[6:8]]
        lines.append(f"| {g3(w[0])}× | {w[1]} | {w[2]} | {w[3]} | `{w[4]}` | {w[5]} | {ms[0]} | {ms[1]} |")
    agg = collections.defaultdict(list)
    for w in worst:
        agg[(w[1], w[2], w[3], w[4].split()[0])].append(w[0])
    lines += ["", "Inversions by pair, engine and kind (the 30 most frequent):", "",
              "| faster GPU | slower GPU | engine | kind | points | median ratio | largest ratio |",
              "| --- | --- | --- | --- | --- | --- | --- |"]
    for (f, sl, b, k), r in sorted(agg.items(), key=lambda x: (-len(x[1]), x[0]))[:30]:
        lines.append(f"| {f} | {sl} | {b} | {k} | {len(r)} | {g3(statistics.median(r))}× | {g3(max(r))}× |")
    if skipped:
        lines += ["", "## Not distilled", ""] + [f"- {x}" for x in skipped]
    lines += ["", "## Sizes (gzip -9)", "", "| file | bytes | gzip -9 bytes |", "| --- | --- | --- |"]
    total = total_gz = 0
    for name, text in outputs:
        raw = text.encode()
        gz = len(gzip.compress(raw, 9, mtime=0))
        total, total_gz = total + len(raw), total_gz + gz
        lines.append(f"| {name} | {len(raw)} | {gz} |")
    lines.append(f"| **total** | {total} | {total_gz} |")
    return "\n".join(lines) + "\n"


def distil(wheel_path, out_root):
    wheel = Wheel(wheel_path)
    qv = wheel.yaml("query_versions.yaml")
    defaults = {}
    for system in SYSTEMS:
        for b in BACKENDS:
            slot = (qv.get("overrides", {}).get(system, {}) or {}).get(b) or qv["defaults"][b]
            defaults[(system, b)] = slot["current"]
    files, skipped = [], []
    for system in SYSTEMS:
        for b in BACKENDS:
            s = Source(wheel, system, b, defaults)
            tables = gemm_tables(s) + attention_tables(s) + mla_tables(s)
            moe, imb = moe_tables(s)
            tables += moe + imb + comm_tables(s)
            for t in tables:
                check_range(t)
                check_monotone(t)
                check_topology(t)
            files.append((s, tables))
            kinds = {t.kind for t in tables}
            for k in ["gemm", "attn_ctx", "attn_gen", "moe", "moe_routing", "nccl", "custom_ar", "mla_ctx",
                      "mla_gen"]:
                if k not in kinds:
                    skipped.append(f"{system}.{b}: no `{k}` table in the package at or below {s.default}")
    worst = check_cross(files)
    outputs = [(f"{s.system}.{s.backend}.txt", render(s, tables)) for s, tables in files]
    written = {f"data/kernels/{n}": t.encode() for n, t in outputs}
    written["data/kernels/SANITY.md"] = sanity_report(files, worst, outputs, skipped).encode()
    written["data/calibration/aiconfigurator-silicon-sample.csv"] = wheel.raw("silicon_sample.csv")
    for rel, data in written.items():
        p = out_root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(data)
    return written


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--wheel", required=True, type=Path)
    ap.add_argument("--root", required=True, type=Path, help="the checkout (writes data/kernels/ there)")
    ap.add_argument("--check", action="store_true", help="compare with the committed files instead of writing")
    args = ap.parse_args()
    digest = hashlib.sha256(args.wheel.read_bytes()).hexdigest()
    if digest != WHEEL_SHA256:
        sys.exit(f"{args.wheel}: sha256 {digest}, expected {WHEEL_SHA256}")
    if not args.check:
        written = distil(args.wheel, args.root)
        for rel, data in sorted(written.items()):
            print(f"wrote {rel} ({len(data)} bytes, {len(gzip.compress(data, 9, mtime=0))} gzip -9)")
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        written = distil(args.wheel, Path(tmp))
        bad = []
        for rel, data in sorted(written.items()):
            p = args.root / rel
            if not p.exists():
                bad.append(f"missing   {rel}")
            elif p.read_bytes() != data:
                bad.append(f"differs   {rel}")
            else:
                print(f"identical {rel}")
        committed = {f"data/kernels/{p.name}" for p in (args.root / "data" / "kernels").glob("*")}
        for rel in sorted(committed - set(written)):
            if not (rel.endswith("/README.md") or "/LICENSE-" in rel):  # written by hand
                bad.append(f"stale     {rel} (not written by the distillation)")
        for b in bad:
            print(b)
        print(f"check: {len(written) - len([b for b in bad if not b.startswith('stale')])} of {len(written)} "
              f"files identical{'' if not bad else '; ' + str(len(bad)) + ' problem(s)'}")
        return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
