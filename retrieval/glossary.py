"""Plant vocabulary: groups of interchangeable terms used to expand keyword queries."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from tools.common.errors import PlantError


@dataclass(frozen=True)
class Glossary:
    """Each group lists terms the plant uses for the same thing ("lathe", "turning centre").

    Example:
        >>> g = Glossary((("guarantee", "warranty"),))
        >>> g.expand("guarantee on housings")
        'guarantee on housings warranty'
    """

    groups: tuple[tuple[str, ...], ...] = ()

    @classmethod
    def load(cls, path: Path) -> Glossary:
        """Read a YAML list of term lists; a missing file gives an empty glossary."""
        if not path.is_file():
            return cls()
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or []
        except yaml.YAMLError as exc:
            raise PlantError(f"Glossary {path} is not valid YAML: {exc}") from exc
        if not isinstance(data, list):
            raise PlantError(f"Glossary {path} must be a list of term lists")
        groups = []
        for number, group in enumerate(data, start=1):
            if not isinstance(group, list) or len(group) < 2:
                raise PlantError(f"Glossary {path}, group {number}: list at least two terms")
            groups.append(tuple(str(term).lower().strip() for term in group))
        return cls(tuple(groups))

    def expand(self, query: str) -> str:
        """Append the other terms of every group with a term in the query (whole words)."""
        lowered = query.lower()
        extra: list[str] = []
        for group in self.groups:
            if any(re.search(rf"\b{re.escape(term)}\b", lowered) for term in group):
                extra.extend(t for t in group if not re.search(rf"\b{re.escape(t)}\b", lowered))
        return f"{query} {' '.join(extra)}" if extra else query
