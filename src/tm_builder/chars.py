"""Character classes every stage shares, each written once (a leaf module)."""

from __future__ import annotations

import re

__all__ = ["HAN", "HAN_CHAR", "HAN_RUN"]

#: Han ideographs, for use inside a regex class: CJK Unified Ideographs with
#: Extension A, the compatibility block, and Extensions B-H (rare names and places)
HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
#: one Han character
HAN_CHAR = re.compile(f"[{HAN}]")
#: a run of Han characters
HAN_RUN = re.compile(f"[{HAN}]+")
