"""Round trip on real data: Anthropic's HH-RLHF sample (../shared/data/hh_rlhf_sample, 300 pairs)
imported as it is into a pairwise project, judged by three experts through the queue, aggregated,
exported as DPO rows to Parquet, reloaded with ``datasets`` and compared with the original pairs.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from expertloop.services.aggregation import refresh_project
from expertloop.store import Database
from expertloop.store.items import iter_items
from judging import judge_all

HH_PAIRS = Path(__file__).parents[2].parent / "shared/data/hh_rlhf_sample/pairs.jsonl"
FLIP = {"A": "B", "B": "A"}


def _original() -> dict[str, dict[str, Any]]:
    lines = HH_PAIRS.read_text(encoding="utf-8").splitlines()
    return {str(row["id"]): row for row in map(json.loads, lines)}


def _references(database: Database, project_id: int) -> dict[str, str]:
    with database.scoped(write=False) as session:
        return {
            str(item.external_id): item.metadata_["reference_choice"]
            for item in iter_items(session, project_id)
        }


def _judge(client: Any, factory: Any, project_id: int, reference: dict[str, str]) -> None:
    """Two experts follow the original preference; a third disagrees on every fifth pair, so
    the consensus must outvote it."""
    for contrarian in (False, False, True):
        person = factory.user("expert")

        def value(external_id: str, contrarian: bool = contrarian) -> dict[str, Any]:
            choice = reference[external_id]
            if contrarian and int(external_id) % 5 == 0:
                choice = FLIP[choice]
            return {"choice": choice, "strength": 2}

        judge_all(client, person, project_id, value)


def test_hh_rlhf_import_judge_export_dpo_reload_matches_the_original(
    cli: Any, client: Any, factory: Any, database: Database, clock: Any, tmp_path: Path
) -> None:
    datasets = pytest.importorskip("datasets")
    lead = factory.user("lead")
    project_id = factory.project(lead=lead, kind="pairwise", overlap=3)
    imported = cli("import", str(project_id), str(HH_PAIRS))
    assert imported.exit_code == 0, imported.output
    original = _original()
    reference = _references(database, project_id)
    assert set(reference) == set(original) and set(reference.values()) == {"A", "B"}

    _judge(client, factory, project_id, reference)
    clock.advance(120)
    with database.scoped() as session:
        refresh_project(
            session=session, project_id=project_id, now=clock(), rng=np.random.default_rng(0)
        )
    out = tmp_path / "hh-dpo.parquet"
    exported = cli("export", str(project_id), "--format", "dpo", "--out", str(out))
    assert exported.exit_code == 0, exported.output

    rows = datasets.load_dataset("parquet", data_files=str(out), split="train")
    assert rows.num_rows == len(original) == 300
    assert {"prompt", "chosen", "rejected", "provenance"} <= set(rows.column_names)
    for row in rows:
        pair = original[row["provenance"]["external_id"]]
        assert (row["prompt"], row["chosen"], row["rejected"]) == (
            pair["prompt"],
            pair["chosen"],
            pair["rejected"],
        )
        assert row["provenance"]["judgments"] == 3
    agreements = [row["provenance"]["agreement"] for row in rows]
    assert sorted(set(agreements)) == pytest.approx([2 / 3, 1.0])
    assert (tmp_path / "hh-dpo.README.md").read_text(encoding="utf-8").count("300") >= 1
