"""One object per Flask extension, created unbound and wired up in `create_app`."""

from flask_babel import Babel
from flask_wtf import CSRFProtect
from peewee import DatabaseProxy

babel = Babel()
csrf = CSRFProtect()
db = DatabaseProxy()
