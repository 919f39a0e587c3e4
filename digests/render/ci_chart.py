"""The CI audit's chart: the top 10 repositories' Actions minutes in the last full month, each
next to its previous month, as horizontal bars.

As `digests.render.chart`: matplotlib is imported inside `render_repo_chart` only, it draws on
a `Figure` with the Agg canvas (no pyplot state), and the server draws it in a short-lived child
(`python -m digests.render.ci_chart`: CiAudit JSON on stdin, the PNG on stdout).
"""

from __future__ import annotations

from digests.billing import format_money
from digests.ci_audit import NO_REPOSITORY, previous_month_label, used_repos
from digests.models import CiAudit, RepoCi, month_name
from digests.render import chart_style
from digests.render.chart import HEIGHT_PX, WIDTH_PX
from digests.render.chart_style import short_minutes

FILE_NAME = "ci-by-repo.png"  # as uploaded to the digest's thread and written by ci-report
TOP_REPOS = 10
LATEST_COLOUR = "#3b6fb6"
PREVIOUS_COLOUR = "#b7c9e2"
MAX_LABEL_CHARS = 28  # repository names on the axis; the alt text keeps them whole


def chart_repos(audit: CiAudit) -> list[RepoCi]:
    """The repositories the chart (and the digest's "Where the minutes go") shows: the top 10 by
    minutes in the last full month. None when fewer than two used minutes, or no line named a
    repository: the org's own figures say it all then."""
    used = used_repos(audit)
    if audit.latest is None or len(used) < 2 or all(r.repo == NO_REPOSITORY for r in used):
        return []
    return used[:TOP_REPOS]


def render_repo_chart(audit: CiAudit) -> bytes:
    """A PNG (1200×675): a pair of bars per repository, the last full month over the previous."""
    repos = chart_repos(audit)
    if not repos or audit.latest is None:
        raise ValueError(f"no repository used GitHub Actions minutes for {audit.org}")

    from matplotlib.ticker import FuncFormatter, MaxNLocator

    figure = chart_style.new_figure(WIDTH_PX, HEIGHT_PX)
    axis = figure.add_subplot()
    latest_label = month_name(audit.latest)
    previous_label = previous_month_label(repos)
    rows = list(range(len(repos)))
    height = 0.38
    latest = [repo.latest.minutes for repo in repos]
    previous = [repo.previous.minutes if repo.previous else 0.0 for repo in repos]
    axis.barh(
        [row - height / 2 for row in rows],
        latest,
        height=height,
        color=LATEST_COLOUR,
        label=latest_label,
        zorder=2,
    )
    if previous_label:
        axis.barh(
            [row + height / 2 for row in rows],
            previous,
            height=height,
            color=PREVIOUS_COLOUR,
            label=previous_label,
            zorder=2,
        )
    top = max([*latest, *previous, 1.0])
    for row, repo in zip(rows, repos, strict=True):
        axis.annotate(
            f"{short_minutes(repo.latest.minutes)} · {format_money(repo.latest.net)} net",
            (repo.latest.minutes, row - height / 2),
            xytext=(5, 0),
            textcoords="offset points",
            va="center",
            fontsize=11,
            fontweight="bold",
            color="#1f3f6e",
        )
    axis.set_yticks(rows, [_label(repo.repo) for repo in repos], fontsize=12)
    axis.invert_yaxis()  # the most minutes on top
    axis.set_xlim(0, top * 1.3)
    axis.set_xlabel("Actions minutes in the month", fontsize=13)
    axis.xaxis.set_major_formatter(FuncFormatter(lambda value, _: short_minutes(value)))
    axis.xaxis.set_major_locator(MaxNLocator(6))
    axis.tick_params(axis="x", labelsize=11)
    chart_style.tidy(axis, grid="x")
    chart_style.title(
        figure, f"Where the GitHub Actions minutes go — {audit.org}, top {len(repos)} repositories"
    )
    axis.legend(loc="lower right", fontsize=12, frameon=False)
    return chart_style.to_png(figure)


def repo_chart_alt_text(audit: CiAudit) -> str:
    """What the chart shows, in words, with its figures."""
    repos = chart_repos(audit)
    if not repos or audit.latest is None:
        return f"No repository used GitHub Actions minutes for {audit.org}."
    latest = month_name(audit.latest)
    previous = previous_month_label(repos)
    against = f", each next to {previous}" if previous else ""
    lines = [
        f"Horizontal bar chart of the {len(repos)} repositories of {audit.org} that used the "
        f"most GitHub Actions minutes in {latest}{against}."
    ]
    for repo in repos:
        before = (
            f" ({repo.previous.minutes:,.0f} min in {repo.previous.label})"
            if repo.previous is not None
            else ""
        )
        lines.append(
            f"{repo.repo}: {repo.latest.minutes:,.0f} min{before}, "
            f"{format_money(repo.latest.net)} net."
        )
    text = " ".join(lines)
    return chart_style.clip_alt_text(text)


def _label(name: str) -> str:
    return name if len(name) <= MAX_LABEL_CHARS else name[: MAX_LABEL_CHARS - 1] + "\u2026"


def main() -> None:
    """`python -m digests.render.ci_chart`: CiAudit JSON on stdin, the PNG on stdout."""
    import sys

    audit = CiAudit.model_validate_json(sys.stdin.buffer.read())
    sys.stdout.buffer.write(render_repo_chart(audit))
    sys.stdout.buffer.flush()


if __name__ == "__main__":
    main()
