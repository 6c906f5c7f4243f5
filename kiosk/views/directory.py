"""The staff's pages of the directory: offices and services, the Treffpunkt's times, events."""

from flask import Blueprint

bp = Blueprint("directory", __name__, url_prefix="/review/wegweiser")
