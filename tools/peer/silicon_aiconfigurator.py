#!/usr/bin/env python3
"""NVIDIA AIConfigurator's own aggregated estimate of every silicon-sample row the planner is
scored on, for `calibrate --silicon --peer` to score beside ours.

Input: the rows `calibrate --silicon --kernels --rows-csv ROWS` writes (one per used row: the
config file the planner plans the model from, the row's system, backend and quantisation modes
as written, the KV precision, layout, batch per attention-DP rank and lengths the planner was
given). Nothing is re-derived here: each row becomes one call of
`aiconfigurator.cli.api.cli_estimate(mode="agg", ...)`, the function `aiconfigurator cli
estimate --estimate-mode agg` calls, in this process, with the CLI's defaults for everything the
row does not set (database mode SILICON, no prefix, no MTP). The perf-database version is the
backend's default on that system (`get_latest_database_version`, what the CLI resolves when no
`--backend-version` is given), looked up once per (system, backend) instead of once per call.
Each model's full config is copied into its own temporary directory as `config.json`, so
AIConfigurator runs offline.

Output: `line,id,aic_ttft_ms,aic_tpot_ms,aic_error,aic_kv_cache_warning`, one line per input
row: AIConfigurator's TTFT and TPOT in ms, or the exception it raised (`Type: first line of the
message`, shortened), and 1 where it warned that the batch exceeds its estimated KV cache. The
database version used per (system, backend) is printed on standard error.

Usage: python tools/peer/silicon_aiconfigurator.py ROWS_CSV OUT_CSV [--configs DIR]
(DIR defaults to the repository's data/model-configs).
"""

import argparse
import csv
import logging
import os
import shutil
import sys
import tempfile
import time

import aiconfigurator_core
from aiconfigurator.cli.api import cli_estimate
from aiconfigurator.sdk.perf_database import get_latest_database_version

REPOSITORY = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))

# The planner's KV precision ids and AIConfigurator's KV-cache quantisation modes.
KV_CACHE_QUANT_MODE = {"fp8": "fp8", "bf16": "bfloat16"}

OUTPUT_COLUMNS = ["line", "id", "aic_ttft_ms", "aic_tpot_ms", "aic_error", "aic_kv_cache_warning"]

# Longest error text kept per row (the first line of the message, which names the cause).
ERROR_CHARS = 140

# Where AIConfigurator's packages are installed, as its messages name its data files.
PACKAGES = os.path.dirname(os.path.dirname(os.path.abspath(aiconfigurator_core.__file__)))


def optional_int(cell):
    """A layout size, or None when the row leaves it blank (a dense model's MoE sizes)."""
    return int(cell) if cell.strip() else None


def optional_mode(cell):
    """A quantisation mode as written, or None (AIConfigurator infers it from the config)."""
    return cell.strip() or None


class ModelDirs:
    """One temporary directory per config file, holding it as `config.json`."""

    def __init__(self, configs_dir):
        self.configs_dir = configs_dir
        self.root = tempfile.mkdtemp(prefix="aic-models-")
        self.dirs = {}

    def path(self, config_file):
        if config_file not in self.dirs:
            target = os.path.join(self.root, os.path.splitext(config_file)[0])
            os.makedirs(target)
            shutil.copyfile(os.path.join(self.configs_dir, config_file), os.path.join(target, "config.json"))
            self.dirs[config_file] = target
        return self.dirs[config_file]

    def remove(self):
        shutil.rmtree(self.root, ignore_errors=True)


def error_text(exc, model_dirs):
    """`Type: first line of the message`, at most ERROR_CHARS long, with this run's temporary
    directory and the installed package's location left out (`<models>/`, `<aic>/`)."""
    message = str(exc).strip().splitlines()
    text = f"{type(exc).__name__}: {message[0] if message else ''}".strip()
    text = text.replace(model_dirs.root + os.sep, "<models>/").replace(PACKAGES + os.sep, "<aic>/")
    return text[:ERROR_CHARS]


def estimate(row, model_dirs, versions):
    """AIConfigurator's aggregated estimate of one row: (ttft_ms, tpot_ms, kv warning)."""
    key = (row["system"], row["backend"])
    if key not in versions:
        versions[key] = get_latest_database_version(system=row["system"], backend=row["backend"])
    version = versions[key]
    if version is None:
        raise LookupError(f"no perf database for system={row['system']} backend={row['backend']}")
    result = cli_estimate(
        model_path=model_dirs.path(row["config_file"]),
        system_name=row["system"],
        mode="agg",
        backend_name=row["backend"],
        backend_version=version,
        database_mode="SILICON",
        isl=int(row["isl"]),
        osl=int(row["osl"]),
        batch_size=int(row["batch_size"]),
        tp_size=int(row["tp"]),
        pp_size=int(row["pp"]),
        attention_dp_size=int(row["attention_dp"]),
        moe_tp_size=optional_int(row["moe_tp"]),
        moe_ep_size=optional_int(row["moe_ep"]),
        gemm_quant_mode=optional_mode(row["gemm_quant_mode"]),
        moe_quant_mode=optional_mode(row["moe_quant_mode"]),
        kvcache_quant_mode=KV_CACHE_QUANT_MODE[row["kv_cache"]],
    )
    return result.ttft, result.tpot, result.kv_cache_warning is not None


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("rows_csv")
    parser.add_argument("out_csv")
    parser.add_argument("--configs", default=os.path.join(REPOSITORY, "data", "model-configs"))
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    with open(args.rows_csv, newline="") as f:
        rows = list(csv.DictReader(f))
    model_dirs = ModelDirs(args.configs)
    versions = {}
    started = time.monotonic()
    failed = 0
    try:
        with open(args.out_csv, "w", newline="") as f:
            out = csv.writer(f, lineterminator="\n")
            out.writerow(OUTPUT_COLUMNS)
            for row in rows:
                try:
                    ttft, tpot, kv_warning = estimate(row, model_dirs, versions)
                    out.writerow([row["line"], row["id"], f"{ttft:.6g}", f"{tpot:.6g}", "", int(kv_warning)])
                except Exception as exc:  # noqa: BLE001 - every failure is the row's recorded result
                    failed += 1
                    out.writerow([row["line"], row["id"], "", "", error_text(exc, model_dirs), ""])
    finally:
        model_dirs.remove()
    elapsed = time.monotonic() - started
    for (system, backend), version in sorted(versions.items()):
        print(f"perf database: {system} {backend} {version}", file=sys.stderr)
    print(
        f"{len(rows)} rows in {elapsed:.1f} s ({elapsed / max(len(rows), 1) * 1e3:.0f} ms a row), {failed} raised an error",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
