"""The directory of offices and services: who helps with what, when and where.

One directory serves the visitors' Wegweiser (kiosk/views/wegweiser.py) and the volunteers'
follow-up of needs (kiosk/review/followup.py). Its parts: the entries and their precedence
(`entries`), texts per language with their review state (`texts`), opening hours with Lower
Saxony's public holidays (`hours`), QR codes to take home (`qr`), the documented JSON schema with
import and export (`schema`, `transfer`), the help lines shipped with the program and the demo's
example offices (`builtin`).
"""
