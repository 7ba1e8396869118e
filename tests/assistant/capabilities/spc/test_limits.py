"""The limits tools/ take as arguments default to the settings that hold them, and the
capability and command line pass the settings' values."""

from __future__ import annotations

from dataclasses import asdict

from assistant.capabilities.spc.tool import spc_limits
from assistant.settings import Settings, setting_default
from tools.defects import images
from tools.failure import io as failure_io
from tools.spc import plot
from tools.spc.limits import SpcLimits


def test_the_tools_defaults_are_the_settings_defaults() -> None:
    assert SpcLimits() == spc_limits()
    for name, value in asdict(SpcLimits()).items():
        assert setting_default(name) == value, name
    assert setting_default("max_chart_points") == plot.MAX_CHART_POINTS
    assert setting_default("max_rows_per_file") == failure_io.MAX_ROWS
    assert setting_default("max_columns_per_file") == failure_io.MAX_COLUMNS
    assert setting_default("max_photo_pixels") == images.MAX_PIXELS
    assert setting_default("photo_working_pixels") == images.WORKING_PIXELS


def test_the_settings_values_become_the_limits() -> None:
    settings = Settings(_env_file=None, max_rows_per_file=10, max_chart_points=300)
    limits = spc_limits(settings)
    assert limits.max_rows_per_file == 10 and limits.max_chart_points == 300
    assert limits.max_numbers_per_paste == setting_default("max_numbers_per_paste")
