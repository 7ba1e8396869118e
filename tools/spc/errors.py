"""The error SPC raises for data it cannot chart."""

from __future__ import annotations

from tools.common.errors import PlantError


class SpcInputError(PlantError):
    """Data that cannot be charted, with a message naming the row, column or parameter."""
