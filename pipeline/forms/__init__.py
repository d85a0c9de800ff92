"""Form templates: the catalogue of printed act-record forms, loaded from schemas/forms."""

from pipeline.forms.catalogue import Catalogue, FieldSpec, FormTemplate, load_catalogue

__all__ = ["Catalogue", "FieldSpec", "FormTemplate", "load_catalogue"]
