"""Build hook: compiles detector/_speedups.c, mynumber's optional C speed-ups, into the wheel.

The package works without it (every function has a pure-Python path with the same results), so a machine
without a C compiler or Python's headers still installs mynumber: the hook then says why and goes on.
An editable install (``pip install -e .``) gets the module compiled next to its source, where it is imported
from; a wheel gets it as a file of its own and a platform tag.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
import sysconfig
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

SOURCE = Path("detector") / "_speedups.c"


def compile_speedups(root: Path) -> Path | None:
    """Compile the module next to its source; its path, or None (with the reason on stderr) when it cannot."""
    if os.environ.get("MYNUMBER_NO_SPEEDUPS"):
        print("mynumber: MYNUMBER_NO_SPEEDUPS is set: building without the C speed-ups", file=sys.stderr)
        return None
    source = root / SOURCE
    target = source.with_name("_speedups" + (sysconfig.get_config_var("EXT_SUFFIX") or ".so"))
    compiler = shlex.split(sysconfig.get_config_var("CC") or "cc")
    # Written to a temporary name and moved into place: a running process may have the old module mapped.
    building = target.with_name(target.name + ".building")
    command = [*compiler, "-O3", "-fPIC", "-shared", "-Wall", "-fno-strict-aliasing", "-I",
               sysconfig.get_paths()["include"], str(source), "-o", str(building)]
    try:
        subprocess.run(command, check=True, capture_output=True, text=True)
    except (OSError, subprocess.CalledProcessError) as error:
        detail = getattr(error, "stderr", "") or str(error)
        print(f"mynumber: the C speed-ups were not built ({detail.strip()}); the pure-Python paths will be used",
              file=sys.stderr)
        building.unlink(missing_ok=True)
        return None
    os.replace(building, target)
    return target


class SpeedupsBuildHook(BuildHookInterface):  # type: ignore[misc]
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if self.target_name != "wheel":
            return
        built = compile_speedups(Path(self.root))
        if built is None:
            return
        build_data["pure_python"] = False
        build_data["infer_tag"] = True
        if version != "editable":
            build_data["force_include"][str(built)] = f"detector/{built.name}"
