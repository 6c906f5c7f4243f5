"""Keeping the site's data in shape: deletion deadlines (retention) and backups."""
