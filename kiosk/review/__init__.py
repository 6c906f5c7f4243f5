"""Volunteers' work on site: inbox queries, casework, follow-up of needs, export, accounts."""
