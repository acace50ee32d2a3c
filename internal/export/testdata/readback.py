"""Reads an XLSX export with openpyxl, a reader independent of the writer, and
prints every cell of every sheet as JSON: its value (numbers as Python's shortest
repr, dates as ISO days), openpyxl's data type and the number format."""
import datetime
import json
import sys

import openpyxl

wb = openpyxl.load_workbook(sys.argv[1])
out = {"sheets": wb.sheetnames}
for ws in wb.worksheets:
    rows = []
    for row in ws.iter_rows():
        cells = []
        for c in row:
            v = c.value
            if isinstance(v, datetime.datetime):
                v = v.date().isoformat()
            elif isinstance(v, datetime.date):
                v = v.isoformat()
            elif isinstance(v, bool):
                v = str(v)
            elif isinstance(v, (int, float)):
                v = repr(v)
            cells.append({"value": v, "type": c.data_type, "format": c.number_format, "date": c.is_date})
        rows.append(cells)
    out[ws.title] = rows
json.dump(out, sys.stdout, ensure_ascii=False)
