"""Files for organisers (shortlists, schedules, the signing run-sheet) in XLSX, CSV and PDF.

Each kind of export has a registry of exporters by format; see `base.Exporter`.
"""

from __future__ import annotations

from matchmaker.exports.base import Registry
from matchmaker.exports.csv import ShortlistsCsv
from matchmaker.exports.pdf import RunSheetPdf, ShortlistsPdf
from matchmaker.exports.runsheet import RunSheet
from matchmaker.exports.shortlists import ShortlistExport
from matchmaker.exports.xlsx import RunSheetXlsx, ShortlistsXlsx

SHORTLISTS: Registry[ShortlistExport] = Registry(
    "shortlists", [ShortlistsXlsx(), ShortlistsCsv(), ShortlistsPdf()]
)
RUN_SHEETS: Registry[RunSheet] = Registry("runsheet", [RunSheetXlsx(), RunSheetPdf()])
