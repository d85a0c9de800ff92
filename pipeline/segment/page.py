"""segment_page: which form an upright page is, the page aligned to it, and the field crops of each record."""

from __future__ import annotations

import numpy as np

from pipeline.forms.catalogue import Catalogue
from pipeline.prepare.binarize import estimate_paper, ink_mask, to_gray
from pipeline.segment.align import fit_alignment, nominal_alignment, warp_to_template
from pipeline.segment.crops import record_slots
from pipeline.segment.identify import find_page_lines, identify_form, match_form
from pipeline.types import SegmentedPage


def segment_page(
    page: np.ndarray, catalogue: Catalogue, *, form_hint: str | None = None, dpi: int = 300
) -> SegmentedPage:
    """Identifies the form of an upright, deskewed page, aligns the page to it at ``dpi`` and cuts the fields.

    Without ``form_hint`` a page that fits no form well enough is unmatched (``form_id`` None, nothing
    cut). With it, the page is aligned to that form whatever the fit, and ``match_score`` says how well
    it fits, for the caller to decide. Only slots with writing in them are returned.
    """
    gray = to_gray(page)
    lines = find_page_lines(gray)
    if form_hint is not None:
        match = match_form(lines, catalogue.form(form_hint))
    else:
        best, matches = identify_form(lines, catalogue)
        if best is None:
            score = matches[0].score if matches else 0.0
            return SegmentedPage(form_id=None, match_score=score, alignment_score=0.0, aligned=None, dpi=dpi)
        match = best
    template = catalogue.form(match.form_id)
    if len(match.horizontal_pairs) + len(match.vertical_pairs) >= 2:
        alignment = fit_alignment(lines, match, template)
    else:
        alignment = nominal_alignment(lines, template)
    aligned = warp_to_template(gray, alignment, lines, template, dpi)
    paper = estimate_paper(aligned)
    slots = record_slots(aligned, ink_mask(aligned, paper), paper, template, dpi)
    return SegmentedPage(
        form_id=template.form_id,
        match_score=match.score,
        alignment_score=round(alignment.score, 4),
        aligned=aligned,
        dpi=dpi,
        slots=slots,
    )
