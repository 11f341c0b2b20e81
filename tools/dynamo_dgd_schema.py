#!/usr/bin/env python3
"""Write the JSON Schema of NVIDIA Dynamo's DynamoGraphDeployment as ai-dynamo models it.

No package registry ships the DynamoGraphDeployment CRD (its openAPIV3Schema is in the
operator's Helm chart, outside PyPI and npm). The ai-dynamo wheel (PyPI, Apache-2.0) carries
the Pydantic model its profiler writes and reads DGDs with (dynamo/profiler/utils/config.py,
classes DgdModel to Config): this script executes exactly those class definitions, unchanged,
and prints `Config.model_json_schema()`.

Usage: pip download ai-dynamo==1.6.1 --no-deps; unzip it into DIR;
python3 tools/dynamo_dgd_schema.py DIR > crates/benchmark/src/deploy/schemas/dynamo-dgd-v1beta1.schema.json
(needs pydantic 2; run with 2.13.4).
"""
import json
import re
import sys
from pathlib import Path
from typing import Any, Optional

from pydantic import BaseModel, Field

source = (Path(sys.argv[1]) / "dynamo/profiler/utils/config.py").read_text()
classes = re.search(r"^class DgdModel\b.*?(?=^class DgdPlannerComponentConfig\b)", source, re.S | re.M).group(0)
namespace = {"BaseModel": BaseModel, "Field": Field, "Any": Any, "Optional": Optional, "__name__": "dgd"}
exec(compile("from __future__ import annotations\n" + classes, "config.py", "exec"), namespace)
config = namespace["Config"]
config.model_rebuild(_types_namespace=namespace)
print(json.dumps(config.model_json_schema(by_alias=True), indent=2, sort_keys=True))
