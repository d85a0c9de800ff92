"""Segmentation: identify a prepared page's form, align the page to it and cut each record's field crops."""

from pipeline.segment.align import Alignment, fit_alignment, warp_to_template
from pipeline.segment.crops import record_slots, remove_ruled_lines
from pipeline.segment.identify import MIN_MATCH_SCORE, FormMatch, find_page_lines, identify_form, match_form
from pipeline.segment.page import segment_page

__all__ = [
    "MIN_MATCH_SCORE",
    "Alignment",
    "FormMatch",
    "find_page_lines",
    "fit_alignment",
    "identify_form",
    "match_form",
    "record_slots",
    "remove_ruled_lines",
    "segment_page",
    "warp_to_template",
]
