"""Assessments: routes (filled in by the workforce work)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["assessments"])
