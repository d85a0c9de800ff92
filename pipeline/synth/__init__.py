"""Generator of realistic filled act-record forms with scan defects and their ground truth."""

from pipeline.synth.generate import FileSpec, PageSpec, generate_scans, make_file, write_file
from pipeline.synth.samples import build_sample_set

__all__ = ["FileSpec", "PageSpec", "build_sample_set", "generate_scans", "make_file", "write_file"]
