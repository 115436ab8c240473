"""Read the rows of a .xls, .xlsx or .csv file as plain Python values.

.xls is read with xlrd (as Odoo's base_import does), .xlsx with openpyxl, .csv with
the csv module. Every reader returns the same shape, so an import gives the same
result whatever the format the other system exported:

- ``Workbook.sheet_names``: the sheets (one, named after the file, for a .csv);
- ``Workbook.rows(sheet)``: ``(row_number, [value, ...])`` for each non-empty row,
  numbered as the spreadsheet shows them (1-based), merged cells carrying the value
  of their top-left cell; values are str, float, datetime, bool or None;
- ``Workbook.serial_to_datetime(number)``: an Excel serial date read in the
  workbook's own date mode (1900 or 1904), for dates stored as plain numbers.
"""

import csv
import datetime
import io
import re
from collections import defaultdict

try:
    import xlrd
except ImportError:  # declared in the manifest's external_dependencies
    xlrd = None
try:
    import openpyxl
except ImportError:  # declared in the manifest's external_dependencies
    openpyxl = None

CSV_ENCODINGS = ("utf-8-sig", "cp1252", "latin-1")
CSV_DELIMITERS = ",;\t|"
EPOCH_1900 = datetime.datetime(1899, 12, 30)
EPOCH_1904 = datetime.datetime(1904, 1, 1)
MERGE_CELL = re.compile(r'<(?:\w+:)?mergeCell\s+ref="([A-Z]+[0-9]+:[A-Z]+[0-9]+)"')


class SpreadsheetError(ValueError):
    """The file cannot be read; the message says why (untranslated: callers wrap it)."""


def open_workbook(data, filename):
    """A Workbook for the file's bytes, chosen by its extension."""
    name = (filename or "").lower()
    if name.endswith(".xls"):
        return XlsWorkbook(data)
    if name.endswith(".xlsx"):
        return XlsxWorkbook(data)
    if name.endswith(".csv") or name.endswith(".txt"):
        return CsvWorkbook(data, filename)
    raise SpreadsheetError("unsupported extension")


def is_empty(value):
    return value is None or (isinstance(value, str) and not value.strip())


class Workbook:
    epoch = EPOCH_1900

    @property
    def sheet_names(self):
        raise NotImplementedError

    def _raw_rows(self, sheet):
        raise NotImplementedError

    def rows(self, sheet=None):
        sheet = sheet or self.sheet_names[0]
        if sheet not in self.sheet_names:
            raise SpreadsheetError(f"no sheet {sheet}")
        for number, values in self._raw_rows(sheet):
            values = [value.strip() if isinstance(value, str) else value for value in values]
            while values and is_empty(values[-1]):
                values.pop()
            if values:
                yield number, values

    def serial_to_datetime(self, number):
        if self.epoch == EPOCH_1900 and number < 61:
            # Excel's 1900 mode counts a 29 February 1900 that never was.
            number += 1
        # Rounded to the second: 14:30 is stored as 0.604166..., never exactly.
        return self.epoch + datetime.timedelta(seconds=round(float(number) * 86400))


class XlsWorkbook(Workbook):
    def __init__(self, data):
        if xlrd is None:
            raise SpreadsheetError("the xlrd library is not installed")
        try:
            # formatting_info: xlrd only reports merged cells with it.
            self.book = xlrd.open_workbook(file_contents=data, formatting_info=True)
        except Exception as error:  # xlrd raises many kinds on a damaged file
            raise SpreadsheetError(str(error)) from error
        self.epoch = EPOCH_1904 if self.book.datemode else EPOCH_1900

    @property
    def sheet_names(self):
        return self.book.sheet_names()

    def _raw_rows(self, sheet_name):
        sheet = self.book.sheet_by_name(sheet_name)
        merged = {}
        for row_lo, row_hi, col_lo, col_hi in sheet.merged_cells:
            for row in range(row_lo, row_hi):
                for col in range(col_lo, col_hi):
                    merged[row, col] = (row_lo, col_lo)
        for row in range(sheet.nrows):
            values = []
            for col in range(sheet.ncols):
                cell = sheet.cell(*merged.get((row, col), (row, col)))
                values.append(self._value(cell))
            yield row + 1, values

    def _value(self, cell):
        if cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK, xlrd.XL_CELL_ERROR):
            return None
        if cell.ctype == xlrd.XL_CELL_DATE:
            return xlrd.xldate.xldate_as_datetime(cell.value, self.book.datemode)
        if cell.ctype == xlrd.XL_CELL_BOOLEAN:
            return bool(cell.value)
        if cell.ctype == xlrd.XL_CELL_NUMBER:
            return float(cell.value)
        return str(cell.value)


class XlsxWorkbook(Workbook):
    def __init__(self, data):
        if openpyxl is None:
            raise SpreadsheetError("the openpyxl library is not installed")
        try:
            # Read-only streams the rows (a 20,000-row export in a second, not ten); it
            # does not report merged cells: _merged_ranges reads them from the sheet's XML.
            self.book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception as error:  # zip, XML and openpyxl errors alike
            raise SpreadsheetError(str(error)) from error
        mac = self.book.epoch == openpyxl.utils.datetime.MAC_EPOCH
        self.epoch = EPOCH_1904 if mac else EPOCH_1900

    @property
    def sheet_names(self):
        return self.book.sheetnames

    def _raw_rows(self, sheet_name):
        sheet = self.book[sheet_name]
        merged_by_row = defaultdict(list)  # row: [(column, top-left (row, column))]
        for min_col, min_row, max_col, max_row in self._merged_ranges(sheet):
            for row in range(min_row, max_row + 1):
                for col in range(min_col, max_col + 1):
                    merged_by_row[row].append((col, (min_row, min_col)))
        origins = {origin for cells in merged_by_row.values() for _col, origin in cells}
        top_left = {}
        for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
            values = list(row)
            for col, origin in merged_by_row.get(number, ()):
                if (number, col) in origins:
                    top_left[number, col] = values[col - 1] if col <= len(values) else None
                values += [None] * (col - len(values))
                values[col - 1] = top_left.get(origin)
            yield number, [self._value(value) for value in values]

    @staticmethod
    def _merged_ranges(sheet):
        """(min column, min row, max column, max row) of the sheet's merged cells."""
        path = getattr(sheet, "_worksheet_path", None)
        if not path:
            return []
        with sheet.parent._archive.open(path) as source:
            xml = source.read().decode("utf-8", "replace")
        return [openpyxl.utils.cell.range_boundaries(ref) for ref in MERGE_CELL.findall(xml)]

    @staticmethod
    def _value(value):
        if isinstance(value, bool) or value is None or isinstance(value, datetime.datetime):
            return value
        if isinstance(value, datetime.date):
            return datetime.datetime.combine(value, datetime.time())
        if isinstance(value, datetime.time):
            return value.strftime("%H:%M")
        if isinstance(value, int | float):
            return float(value)
        return str(value)


class CsvWorkbook(Workbook):
    def __init__(self, data, filename):
        for encoding in CSV_ENCODINGS:
            try:
                self.text = data.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        if "\x00" in self.text:
            raise SpreadsheetError("binary content")
        self.name = (filename or "csv").rsplit("/", 1)[-1]
        sample = self.text[:20000]
        try:
            self.dialect = csv.Sniffer().sniff(sample, delimiters=CSV_DELIMITERS)
        except csv.Error:
            self.dialect = csv.excel

    @property
    def sheet_names(self):
        return [self.name]

    def _raw_rows(self, sheet_name):
        reader = csv.reader(io.StringIO(self.text, newline=""), self.dialect)
        try:
            for number, values in enumerate(reader, start=1):
                yield number, [value or None for value in values]
        except csv.Error as error:
            raise SpreadsheetError(str(error)) from error
