"""The published failure rules of the AI4I 2020 milling process (Matzka 2020, UCI data set 601).

Shared by the simulator that generates training data (`finetune/data/machines.py`) and by
the explanations of each prediction (`tools/failure/readings.py`).
"""

from __future__ import annotations

MODES = ("TWF", "HDF", "PWF", "OSF", "RNF")

HDF_MAX_TEMPERATURE_DIFFERENCE = 8.6  # K: heat dissipation fails below this difference...
HDF_MAX_SPEED = 1380.0  # rpm: ...when the spindle also turns slower than this
PWF_MIN_POWER = 3500.0  # W: power failure below this mechanical power...
PWF_MAX_POWER = 9000.0  # W: ...or above this one
OSF_LIMIT = {"L": 11_000.0, "M": 12_000.0, "H": 13_000.0}  # min·Nm of tool wear x torque
TWF_WINDOW = (200.0, 240.0)  # min: tools are replaced, or fail, at a wear in this range
