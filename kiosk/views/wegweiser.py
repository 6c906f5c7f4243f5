"""The visitors' Wegweiser: who helps with what, when and where, in the visitor's language."""

from flask import Blueprint

bp = Blueprint("wegweiser", __name__)
