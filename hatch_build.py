"""Hatch metadata hook: the package's long description is README.md with its relative links made
absolute (an index page such as PyPI cannot follow `docs/...` or `examples/...`)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from hatchling.metadata.plugin.interface import MetadataHookInterface

# A Markdown link or image target that is not absolute and not an in-page anchor.
RELATIVE_LINK = re.compile(r"(!?\[[^\]]*\]\()(?![a-z][a-z0-9+.-]*:|#|/)([^)\s]+)\)")


def absolute_links(markdown: str, blob_base: str) -> str:
    return RELATIVE_LINK.sub(lambda m: f"{m.group(1)}{blob_base}{m.group(2)})", markdown)


class CustomMetadataHook(MetadataHookInterface):
    def update(self, metadata: dict[str, Any]) -> None:
        source = metadata["urls"]["Source"].rstrip("/")
        text = (Path(self.root) / "README.md").read_text(encoding="utf-8")
        metadata["readme"] = {
            "content-type": "text/markdown",
            "text": absolute_links(text, f"{source}/blob/main/"),
        }
