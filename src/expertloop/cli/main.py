"""The ``expertloop`` command. Each module registers its own commands."""

from __future__ import annotations

import typer

from expertloop.cli import (
    aggregate,
    assessments,
    bench,
    data,
    demo,
    experts,
    exports,
    invitations,
    quality,
    serve,
    setup,
)

app = typer.Typer(
    name="expertloop",
    help="expertloop: expert-in-the-loop data programs for model post-training.",
    no_args_is_help=True,
    add_completion=False,
)
for module in (
    serve,
    setup,
    data,
    exports,
    demo,
    bench,
    experts,
    assessments,
    invitations,
    aggregate,
    quality,
):
    module.register(app)


if __name__ == "__main__":
    app()
