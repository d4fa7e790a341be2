"""Persistence: the only package that imports SQLAlchemy and Alembic. It flushes, never commits."""

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from expertloop.store.db import Database

__all__ = ["Database", "IntegrityError", "Session"]
