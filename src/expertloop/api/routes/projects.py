"""Projects, their items and their progress."""

from __future__ import annotations

from fastapi import APIRouter, status

from expertloop.api.deps import CurrentActor, NowDep, ReadSessionDep, SessionDep
from expertloop.api.schemas import (
    GuidelinesUpdate,
    GuidelineVersionPublic,
    GuidelineVersionsPublic,
    ItemsCreate,
    ItemsCreatedPublic,
    ProgressPublic,
    ProjectCreate,
    ProjectPublic,
    ProjectsPublic,
    ProjectUpdate,
)
from expertloop.services import items, projects

router = APIRouter(tags=["projects"])


@router.post("/projects", status_code=status.HTTP_201_CREATED, response_model=ProjectPublic)
def create_project(
    body: ProjectCreate, session: SessionDep, actor: CurrentActor, now: NowDep
) -> ProjectPublic:
    draft = projects.ProjectDraft(**body.model_dump())
    project = projects.create_project(session=session, actor=actor, draft=draft, now=now)
    return ProjectPublic.model_validate(project)


@router.get("/projects", response_model=ProjectsPublic)
def list_projects(session: ReadSessionDep, actor: CurrentActor) -> ProjectsPublic:
    found = projects.list_projects(session=session, actor=actor)
    return ProjectsPublic(data=[ProjectPublic.model_validate(p) for p in found], count=len(found))


@router.get("/projects/{project_id}", response_model=ProjectPublic)
def get_project(project_id: int, session: ReadSessionDep, actor: CurrentActor) -> ProjectPublic:
    project = projects.get_project_or_raise(session=session, actor=actor, project_id=project_id)
    return ProjectPublic.model_validate(project)


@router.patch("/projects/{project_id}", response_model=ProjectPublic)
def update_project(
    project_id: int, body: ProjectUpdate, session: SessionDep, actor: CurrentActor, now: NowDep
) -> ProjectPublic:
    """Change requirements, the project's own rate or its time estimate (fields sent only)."""
    changes = body.model_dump(include=body.model_fields_set)
    project = projects.update_terms(
        session=session, actor=actor, project_id=project_id, changes=changes, now=now
    )
    return ProjectPublic.model_validate(project)


@router.put("/projects/{project_id}/guidelines", response_model=ProjectPublic)
def revise_guidelines(
    project_id: int, body: GuidelinesUpdate, session: SessionDep, actor: CurrentActor, now: NowDep
) -> ProjectPublic:
    project = projects.revise_guidelines(
        session=session, actor=actor, project_id=project_id, now=now, **body.model_dump()
    )
    return ProjectPublic.model_validate(project)


@router.get("/projects/{project_id}/guidelines", response_model=GuidelineVersionsPublic)
def list_guideline_versions(
    project_id: int, session: ReadSessionDep, actor: CurrentActor
) -> GuidelineVersionsPublic:
    found = projects.list_guideline_versions(session=session, actor=actor, project_id=project_id)
    data = [GuidelineVersionPublic.model_validate(v) for v in found]
    return GuidelineVersionsPublic(data=data, count=len(data))


@router.post(
    "/projects/{project_id}/items",
    status_code=status.HTTP_201_CREATED,
    response_model=ItemsCreatedPublic,
)
def import_items(
    project_id: int, body: ItemsCreate, session: SessionDep, actor: CurrentActor, now: NowDep
) -> ItemsCreatedPublic:
    # Dumped as the import reads them, one batch at a time, not all 10,000 at once.
    rows = (row.model_dump(mode="json", exclude_none=True) for row in body.items)
    created = items.import_items(
        session=session, actor=actor, project_id=project_id, rows=rows, now=now
    )
    return ItemsCreatedPublic(created=created)


@router.get("/projects/{project_id}/progress", response_model=ProgressPublic)
def get_progress(
    project_id: int, session: ReadSessionDep, actor: CurrentActor, now: NowDep
) -> ProgressPublic:
    progress = projects.get_progress(session=session, actor=actor, project_id=project_id, now=now)
    return ProgressPublic.model_validate(progress, from_attributes=True)
