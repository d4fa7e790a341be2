"""`projects create` and `projects update` with requirements, a rate and a time estimate."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from expertloop.store import Database
from expertloop.store.tables import Project, Track


def test_projects_create_with_requirements_and_rate(cli: Any, database: Database) -> None:
    result = cli(
        "projects", "create", "--name", "Cardiology", "--kind", "label",
        "--spec", '{"labels": ["urgent", "routine"]}',
        "--track", "professional", "--domain", "medicine", "--domain", "biology",
        "--hourly-rate", "62.5", "--minutes-per-item", "4",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    project_id = int(result.output.strip().splitlines()[-1])
    with database.scoped() as session:
        project = session.get(Project, project_id)
        assert project is not None
        assert project.requirements == {
            "tracks": ["professional"],
            "domains": ["medicine", "biology"],
            "min_quality": None,
        }
        assert project.hourly_rate == Decimal("62.50") and project.minutes_per_item == 4
        track = session.get(Track, project.track_id)
        assert track is not None and track.name == "professional"


def test_projects_update_replaces_requirements_and_names_bad_ones(
    cli: Any, database: Database
) -> None:
    created = cli(
        "projects", "create", "--name", "Code", "--kind", "label",
        "--spec", '{"labels": ["ok", "bug"]}', "--track", "coding",
    )  # fmt: skip
    project_id = created.output.strip().splitlines()[-1]
    bad = cli("projects", "update", project_id, "--track", "astrology")
    assert bad.exit_code == 1
    assert "requirements.tracks[0]: is not one of" in bad.output
    cleared = cli("projects", "update", project_id, "--no-requirements", "--hourly-rate", "45")
    assert cleared.exit_code == 0, cleared.output
    assert cleared.output.strip().startswith(
        f'project {project_id}: requirements {{"tracks": [], "domains": [], "min_quality": '
        'null}, rate 45.00, minutes per item not estimated, quality {"gold": {"rate": 0.0, '
    )
    with database.scoped() as session:
        project = session.get(Project, int(project_id))
        assert project is not None and project.track_id is None
