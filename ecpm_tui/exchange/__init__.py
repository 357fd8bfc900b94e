"""Export and import of whole projects as JSON: lossless, validated, all-or-nothing.

Records reference each other by stable in-file references rather than database ids
(project key, card number ``n``, risk ref, assessment number ``n``), so a file exported
from one database imports into another and exports again identically.
"""

from ecpm_tui.exchange.export import export_data, export_json
from ecpm_tui.exchange.load import ImportResult, import_data, parse_import, read_import_file
from ecpm_tui.exchange.schema import FORMAT, FORMAT_VERSION, MAX_IMPORT_BYTES

__all__ = [
    "FORMAT",
    "FORMAT_VERSION",
    "MAX_IMPORT_BYTES",
    "ImportResult",
    "export_data",
    "export_json",
    "import_data",
    "parse_import",
    "read_import_file",
]
