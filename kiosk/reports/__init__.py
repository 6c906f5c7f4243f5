"""Reports for the Stadthaus: SQL counts, small-cell suppression, SVG charts, PDF by WeasyPrint.

queries (counts per period, plain rows) → summary (protected by disclosure) → render (HTML, then
PDF in a worker process) → store (PDF + JSON record in instance/reports/). The `kiosk report`
commands live in cli.py, the coordinators' pages in views.py.
"""
