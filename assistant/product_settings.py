"""The product-inspection settings added for chat uploads: one group of the one `Settings`
object (which inherits them, so they are read from the same `PLANT_*` variables and `.env`)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings


class ProductSettings(BaseSettings):
    """What an admin's zip of good-part photos may hold, and how a defect's region is drawn."""

    product_zip_max_entries: int = Field(
        5_000, ge=1, description="Entries (files and folders) a zip of good-part photos may hold."
    )
    product_zip_max_unpacked_mb: float = Field(
        2_048, gt=0, description="A zip of good-part photos that unpacks to more is refused."
    )
    product_zip_max_ratio: float = Field(
        100,
        gt=1,
        description="A photo over 1 MB in the zip packed tighter than this is skipped (zip bomb; "
        "real photos barely compress). Each photo's size limit is max_photo_mb.",
    )
    product_defect_level: float = Field(
        0.5,
        ge=0.0,
        lt=1.0,
        description="A defect's area and box: the region around the anomaly map's peak at or "
        "above this far from the product's minor threshold (0) to the peak (1); 0 takes "
        "everything connected to the peak above the threshold.",
    )
