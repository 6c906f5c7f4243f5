"""Reports for the Stadthaus: SQL counts, small-cell suppression, SVG charts, PDF by WeasyPrint.

queries (counts per period, plain rows) → summary (protected by disclosure) → render (HTML, then
PDF in a worker process) → store (PDF + JSON record in instance/reports/); due.py says which
periods are due. The `kiosk report` commands live in kiosk/cli/reports.py, the coordinators'
pages in kiosk/views/reports.py.
"""
