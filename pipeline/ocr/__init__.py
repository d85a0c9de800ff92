"""Text recognition of field crops: the Tesseract wrapper, field preparation, parsing to canonical values, lexicon."""
