"""Page preparation: orientation, deskew, two-page spreads, binarization and quality of a scanned page."""

from pipeline.prepare.binarize import ink_mask, to_gray
from pipeline.prepare.deskew import estimate_skew, rotate_upright
from pipeline.prepare.orientation import Orientation, OsdFunction
from pipeline.prepare.page import prepare_page
from pipeline.prepare.quality import measure_quality
from pipeline.prepare.spread import SPREAD_SLOT_OFFSET, prepare_spread

__all__ = [
    "SPREAD_SLOT_OFFSET",
    "Orientation",
    "OsdFunction",
    "estimate_skew",
    "ink_mask",
    "measure_quality",
    "prepare_page",
    "prepare_spread",
    "rotate_upright",
    "to_gray",
]
