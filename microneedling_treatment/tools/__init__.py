from . import spreadsheet
