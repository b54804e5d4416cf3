"""FHIR R5 export and import of a diary (`fhir.resources` 8, whose default models are R5).

`export` builds the Bundle (Patient, an Observation per cramp and per day-log value, a
MedicationStatement per medicine), `importer` reads such a Bundle back into a diary, and
`codes` holds the code systems and codes both use.
"""

from __future__ import annotations

from crampwise.interop.fhir.export import ExportDiary, build_bundle, export_diary
from crampwise.interop.fhir.importer import FhirDiary, ImportDiary, import_diary, read_bundle

__all__ = [
    "ExportDiary",
    "FhirDiary",
    "ImportDiary",
    "build_bundle",
    "export_diary",
    "import_diary",
    "read_bundle",
]
