"""Use case: stream a project's training-ready rows (one export format) with provenance.

``open_export`` checks the actor and the request and returns an ``ExportStream``: its ``rows``
iterator reads the project's items ``store.exports.CHUNK`` at a time, applies the filters,
gives experts their pseudonyms and hands each item to the format's shaper in
``core.exports``; memory does not grow with the project. Writing files is
``services.export_files``; background jobs are ``services.export_jobs`` (queued, followed,
downloaded) and ``services.export_worker`` (written).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime
from typing import Any

from expertloop.core.errors import FieldError, Invalid, invalid
from expertloop.core.exports.card import CardSummary
from expertloop.core.exports.common import JSON
from expertloop.core.exports.formats import ExportFormat, formats_for_kind, get_format
from expertloop.core.exports.records import (
    ExportConsensus,
    ExportItem,
    ExportJudgment,
    ExportOptions,
    pseudonym,
)
from expertloop.core.exports.selection import (
    ExportFilters,
    item_agreement,
    keep_item,
    keep_judgment,
)
from expertloop.core.lifecycles import ItemState
from expertloop.core.policies import Actor
from expertloop.services.projects import get_project_or_raise
from expertloop.store import Session
from expertloop.store import exports as store
from expertloop.store.tables import Project

REVISED = "revised"
ADJUDICATED = "adjudicated"


@dataclass(frozen=True)
class ExportRequest:
    """What to export: the format, how rows are shaped, what is kept, and the card's licence."""

    format: str = "raw"
    options: ExportOptions = field(default_factory=ExportOptions)
    filters: ExportFilters = field(default_factory=ExportFilters)
    license: str = "other"

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ExportRequest:
        """A request from JSON-like fields (the API's body, a job's stored request).

        Keys: ``format``, ``license``, ``options`` (``ExportOptions`` fields), ``filters``
        (``ExportFilters`` fields; ``since`` / ``until`` ISO 8601 with a zone,
        ``guideline_versions`` a list).

        Raises:
            Invalid: ``export.invalid`` naming the field.
        """
        try:
            options = ExportOptions(**dict(data.get("options") or {}))
        except TypeError as error:
            raise invalid("export.invalid", [FieldError("options", str(error))]) from None
        return cls(
            format=get_format(str(data.get("format", "raw"))).name,
            options=options,
            filters=_filters(dict(data.get("filters") or {})),
            license=str(data.get("license") or "other"),
        )

    def to_dict(self) -> dict[str, Any]:
        """The request as JSON-ready fields (``from_dict`` reads them back)."""
        filters = asdict(self.filters)
        for key in ("since", "until"):
            filters[key] = filters[key].isoformat() if filters[key] else None
        versions = self.filters.guideline_versions
        filters["guideline_versions"] = sorted(versions) if versions is not None else None
        filters["metadata"] = dict(self.filters.metadata)
        return {
            "format": self.format,
            "options": asdict(self.options),
            "filters": filters,
            "license": self.license,
        }


def _filters(data: dict[str, Any]) -> ExportFilters:
    known = set(ExportFilters.__dataclass_fields__)
    unknown = sorted(set(data) - known)
    if unknown:
        raise invalid("export.invalid", [FieldError(f"filters.{unknown[0]}", "unknown filter")])
    for key in ("since", "until"):
        data[key] = _moment(key, data.get(key))
    if data.get("guideline_versions") is not None:
        data["guideline_versions"] = frozenset(_versions(data["guideline_versions"]))
    data["metadata"] = {str(k): str(v) for k, v in dict(data.get("metadata") or {}).items()}
    if data.get("min_confidence") is not None:
        data["min_confidence"] = _number("min_confidence", data["min_confidence"])
    data["accepted_only"] = bool(data.get("accepted_only", False))
    try:
        return ExportFilters(**data)
    except Invalid as error:
        problems = [FieldError(f"filters.{e.field}", e.message) for e in error.errors]
        raise invalid("export.invalid", problems) from None


def _moment(key: str, value: Any) -> datetime | None:
    if value is None or isinstance(value, datetime):
        moment = value
    else:
        try:
            moment = datetime.fromisoformat(str(value))
        except ValueError:
            raise _bad(key, "must be an ISO 8601 date or time, e.g. 2026-12-01T00:00:00Z") from None
    if moment is not None and moment.tzinfo is None:
        raise _bad(key, "needs a time zone, e.g. 2026-12-01T00:00:00Z")
    return moment


def _versions(value: Any) -> list[int]:
    if not isinstance(value, list | tuple | set | frozenset):
        value = [value]
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in value):
        raise _bad("guideline_versions", "must be a list of version numbers")
    return list(value)


def _number(key: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _bad(key, "must be a number")
    return float(value)


def _bad(key: str, message: str) -> Invalid:
    return invalid("export.invalid", [FieldError(f"filters.{key}", message)])


@dataclass
class ExportStream:
    """An export being read: what it is, how many items it walks, and its rows (lazy; they
    need the session ``open_export`` was given, open until they are consumed)."""

    project_id: int
    project_name: str
    kind: str
    format: ExportFormat
    request: ExportRequest
    items_total: int
    summary: CardSummary
    rows: Iterator[JSON]


def open_export(
    *,
    session: Session,
    actor: Actor | None,
    project_id: int,
    request: ExportRequest,
    progress: Callable[[int], None] | None = None,
) -> ExportStream:
    """Check the request and start streaming the project's rows.

    Args:
        progress: called with the number of items read so far, after each chunk.

    Raises:
        NotFound: ``project.not_found``. Forbidden: unless the actor may edit the project.
        Invalid: ``export.invalid`` naming ``format`` when it does not serve the project's kind.
    """
    project, fmt = exportable(session=session, actor=actor, project_id=project_id, request=request)
    summary = CardSummary(
        name=f"{project.name} ({fmt.name})",
        format=fmt.name,
        license=request.license,
        description=f"Exported by expertloop from project {project.id}: {fmt.description}.",
    )
    panel = store.expert_panel(session, project.id)
    for _, attributes in panel.values():
        summary.add_panel({k: str(v) for k, v in attributes.items()})
    if not request.options.conversational and store.has_chat_prompt(session, project.id):
        # one chat prompt makes every row conversational: a dataset holds one shape
        request = replace(request, options=replace(request.options, conversational=True))
    reader = _Reader(project, fmt, request, store.export_salt(session), panel)
    rows = reader.rows(session, progress)
    total = store.count_items(session, project.id)
    return ExportStream(project.id, project.name, project.kind, fmt, request, total, summary, rows)


def exportable(
    *, session: Session, actor: Actor | None, project_id: int, request: ExportRequest
) -> tuple[Project, ExportFormat]:
    """The project the actor may export and the requested format, checked against its kind.

    Raises:
        NotFound: ``project.not_found``. Forbidden: unless the actor may edit the project.
        Invalid: ``export.invalid`` naming ``format`` when it does not serve the project's kind.
    """
    project = get_project_or_raise(
        session=session, actor=actor, project_id=project_id, policy="edit"
    )
    return project, format_for_kind(project.kind, request.format)


def format_for_kind(kind: str, name: str) -> ExportFormat:
    """The export format ``name`` when it serves projects of ``kind``.

    Raises:
        Invalid: ``export.invalid`` naming ``format`` (unknown, or not for this kind).
    """
    fmt = get_format(name)
    if kind not in fmt.kinds:
        usable = ", ".join(formats_for_kind(kind))
        message = f"a {kind} project exports as {usable}, not {fmt.name}"
        raise invalid("export.invalid", [FieldError("format", message)])
    return fmt


class _Reader:
    """Turns the store's chunks into the format's rows, one item at a time."""

    def __init__(
        self,
        project: Project,
        fmt: ExportFormat,
        request: ExportRequest,
        salt: str,
        panel: dict[int, tuple[tuple[str, ...], dict[str, Any]]],
    ) -> None:
        self.project_id, self.kind, self.fmt = project.id, project.kind, fmt
        self.filters, self.options = request.filters, request.options
        self.tracks = {expert: tracks for expert, (tracks, _) in panel.items()}
        self.names = {expert: pseudonym(expert, salt) for expert in panel}
        filters = self.filters
        # the default export keeps everything: skip the per-row filter calls then
        self.item_filtered = bool(
            filters.accepted_only or filters.min_confidence is not None or filters.metadata
        )
        self.judgment_filtered = (
            filters.guideline_versions is not None
            or filters.since is not None
            or filters.until is not None
        )

    def rows(self, session: Session, progress: Callable[[int], None] | None) -> Iterator[JSON]:
        done = 0
        chunks = store.iter_chunks(
            session, self.project_id, since=self.filters.since, until=self.filters.until
        )
        for chunk in chunks:
            for item in chunk.items:
                yield from self._item_rows(item, chunk)
            done += len(chunk.items)
            if progress is not None:
                progress(done)

    def _item_rows(self, row: store.ItemRow, chunk: store.Chunk) -> Iterator[JSON]:
        if row.state == ItemState.GOLD.value and self.fmt.name != "raw":
            return
        item = ExportItem(
            item_id=row.id,
            kind=self.kind,
            prompt=row.prompt,
            external_id=row.external_id,
            responses=row.responses or (),
            data=row.data or {},
            metadata=row.metadata or {},
        )
        consensus = _consensus(chunk.consensus.get(row.id))
        if self.item_filtered and not keep_item(item, consensus, self.filters):
            return
        judgments = [self._judgment(j) for j in chunk.judgments.get(row.id, ())]
        if self.judgment_filtered:
            judgments = [j for j in judgments if keep_judgment(j, self.filters)]
        if not judgments:
            return
        if consensus is not None:
            agreement = item_agreement(self.kind, judgments, consensus)
            consensus = ExportConsensus(
                consensus.value,
                consensus.confidence,
                consensus.state,
                consensus.method,
                agreement=agreement,
                adjudicated=consensus.adjudicated,
            )
        yield from self.fmt.rows(item, judgments, consensus, self.options)

    def _judgment(self, row: store.JudgmentRow) -> ExportJudgment:
        revised = row.review_state == REVISED and row.revised_value is not None
        return ExportJudgment(  # positional: this runs once per judgment
            self.names[row.expert_id],
            row.revised_value if revised and row.revised_value else row.value,
            row.rationale,
            row.guideline_version,
            row.active_seconds,
            row.review_state,
            self.tracks.get(row.expert_id, ()),
            row.created_at,
        )


def _consensus(row: store.ConsensusRow | None) -> ExportConsensus | None:
    if row is None or row.value is None:
        return None
    return ExportConsensus(
        value=row.value,
        confidence=float(row.confidence or 0.0),
        state=row.state,
        method=row.method,
        adjudicated=row.state == ADJUDICATED,
    )
