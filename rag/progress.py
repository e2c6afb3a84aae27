"""Progress bars for long work (indexing, model assembly, eval), on stderr so JSON on stdout stays clean."""

from __future__ import annotations

import sys
from typing import Any


def progress_bar(*, total: int | None, desc: str, unit: str = "it", enabled: bool = True) -> Any:
    """A tqdm bar on stderr; disabled bars still accept update() so callers need no branches."""
    from tqdm import tqdm

    return tqdm(
        total=total,
        desc=desc,
        unit=unit,
        unit_scale=unit == "B",
        disable=not enabled,
        file=sys.stderr,
        leave=False,
        dynamic_ncols=True,
    )
