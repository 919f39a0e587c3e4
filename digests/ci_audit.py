"""The CI audit: where the org's Actions minutes go, repository by repository. Pure.

Usage lines in (GitHub's billing usage report, daily or summed per month), figures out:
- per repository and month: minutes by runner (Linux / Windows / macOS / other), GitHub's own
  gross, discount and net dollars of its lines (a discount given on a line stays with that line's
  repository: nothing is spread by share), and its storage (GigabyteHours lines) apart;
- its share of the org's minutes in the last full month, the change against the previous month
  and against its own peak month;
- flags worth acting on, each saying why: a fork or an archived repository that used minutes, a
  sudden jump, macOS or Windows runners where Linux minutes are tiny.

Honest numbers: sums are exact (`digests.billing.exact`), and whole cents are apportioned by
largest remainder, first from the org's month total to its repositories, then from each
repository to its SKUs (ci-usage.csv): every level adds up to the one above to the cent, and each
figure is within a cent of its exact sum. The org's figures are the digest's
(`digests.billing.build_monthly_usage`).

`repositoryName` comes bare (`api`, GitHub's real answers) or as `owner/repo` (its docs): the
org's own repositories are named bare either way; lines without one are "(no repository)".
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_FLOOR, Decimal

from digests.billing import (
    ACTIONS_PRODUCT,
    CENTS,
    MINUS,
    exact,
    format_money,
    is_actions_minutes,
    monthly_usage_of,
    to_cents,
)
from digests.models import (
    BillingUsage,
    CiAudit,
    CiFlag,
    CiUsageRow,
    MonthlyActionsUsage,
    RepoCi,
    RepoInfo,
    RepoMonthUsage,
    Runner,
    UsageItem,
)

NO_REPOSITORY = "(no repository)"
RUNNERS: tuple[Runner, ...] = ("Linux", "Windows", "macOS", "Other")
DEFAULT_JUMP_PERCENT = 50
JUMP_MIN_MINUTES = 1_000  # a jump also has to be this many minutes, not just a percentage
# "macOS or Windows runners where Linux is tiny": at least this many such minutes in the month,
# with Linux at most this share of the repository's minutes.
PRICEY_MIN_MINUTES = 100
TINY_LINUX_SHARE = 0.10
PRICE_MULTIPLIER = {"macOS": "10×", "Windows": "2×"}  # against Linux, GitHub's standard runners
STORAGE_UNITS = frozenset({"gigabytehours", "gigabyte hours", "gb-hours"})

Month = tuple[int, int]


def repo_name(repository: str | None, org: str) -> str:
    """The name a usage line's repository goes by in the audit: bare for the org's own."""
    name = (repository or "").strip()
    if not name:
        return NO_REPOSITORY
    owner, slash, bare = name.rpartition("/")
    if slash and owner.casefold() == org.casefold() and bare:
        return bare
    return name


def runner(sku: str) -> Runner:
    lowered = sku.casefold()
    if "macos" in lowered:
        return "macOS"
    if "windows" in lowered:
        return "Windows"
    if "linux" in lowered:
        return "Linux"
    return "Other"


def is_actions_storage(item: UsageItem) -> bool:
    return item.product.casefold() == ACTIONS_PRODUCT and item.unit_type.casefold() in STORAGE_UNITS


# --- exact sums per month, repository and SKU -------------------------------------------------


@dataclass
class _Sums:
    quantity: Decimal = Decimal(0)
    gross: Decimal = Decimal(0)
    discount: Decimal = Decimal(0)
    net: Decimal = Decimal(0)

    def add(self, item: UsageItem) -> None:
        self.quantity += exact(item.quantity)
        self.gross += exact(item.gross_amount)
        self.discount += exact(item.discount_amount)
        self.net += exact(item.net_amount)


@dataclass
class _Ledger:
    """Exact sums keyed (month, repo key, kind "min"/"storage", SKU, unit)."""

    org: str
    cells: dict[tuple[Month, str, str, str, str], _Sums] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)  # repo key → the name first seen

    def add(self, item: UsageItem) -> None:
        if is_actions_minutes(item):
            kind = "min"
        elif is_actions_storage(item):
            kind = "storage"
        else:
            return
        name = repo_name(item.repository_name, self.org)
        key = name.casefold()
        self.names.setdefault(key, name)
        cell = (item.date.year, item.date.month), key, kind, item.sku, item.unit_type
        sums = self.cells.get(cell)
        if sums is None:
            sums = self.cells[cell] = _Sums()
        sums.add(item)


def _ledger(items: Iterable[UsageItem], org: str, months: Sequence[Month]) -> _Ledger:
    wanted = set(months)
    ledger = _Ledger(org)
    for item in items:
        if (item.date.year, item.date.month) in wanted:
            ledger.add(item)
    return ledger


def apportion(exact_amounts: Sequence[Decimal], total_cents: int) -> list[int]:
    """Whole cents for each amount, adding up to `total_cents`: each amount's cents rounded
    down, then the cents left over to the largest remainders (ties to the earlier one)."""
    if not exact_amounts:
        return []
    scaled = [amount / CENTS for amount in exact_amounts]
    cents = [int(value.to_integral_value(rounding=ROUND_FLOOR)) for value in scaled]
    order = sorted(range(len(cents)), key=lambda i: (cents[i] - scaled[i], i))
    left = total_cents - sum(cents)
    # With `total_cents` the rounded sum of the amounts, 0 <= left <= len(amounts); any other
    # total is spread the same way, a cent at a time.
    step = 1 if left >= 0 else -1
    position = 0
    while left:
        cents[order[position % len(order)]] += step
        left -= step
        position += 1
    return cents


# --- the audit ---------------------------------------------------------------------------------


def build_ci_audit(
    usage: BillingUsage,
    *,
    today: date,
    forks: Iterable[RepoInfo] | None = None,
    states: Mapping[str, RepoInfo] | None = None,
    jump_percent: int = DEFAULT_JUMP_PERCENT,
    problem: str | None = None,
) -> CiAudit:
    """The audit of the months GitHub answered for (`usage.months`), as of `today`.

    `forks`: the org's forks (None: not known). `states`: what GitHub says of the repositories
    that used minutes, by bare name (fork, archived). A repository is flagged as a fork or as
    archived only when GitHub said so."""
    current = (today.year, today.month)
    months = sorted(month for month in set(usage.months) if month <= current)
    org = usage.org
    totals = _org_totals(usage.items, months, today)
    ledger = _ledger(usage.items, org, months)
    full = [month for month in months if month != current]
    latest = full[-1] if full else None
    running = current if current in months else None
    per_month = {month: _repo_months(ledger, month, totals) for month in months}

    fork_names = {info.name.casefold() for info in forks or ()}
    known = {name.casefold(): info for name, info in (states or {}).items()}
    for info in forks or ():
        known.setdefault(info.name.casefold(), info)
    repos = []
    for key, name in ledger.names.items():
        history = tuple(per_month[month].get(key) or _zero(name, month) for month in months)
        repos.append(
            _repo_ci(
                name, key, history, latest, running, totals, fork_names, known, forks is not None
            )
        )
    repos.sort(
        key=lambda repo: (-repo.latest.minutes, -_so_far_minutes(repo), repo.repo.casefold())
    )
    audit = CiAudit(
        org=org,
        months=tuple(months),
        latest=latest,
        running=running,
        totals=tuple(totals.values()),
        repos=tuple(repos),
        jump_percent=jump_percent,
        forks_checked=forks is not None and states is not None,
        problem=problem,
    )
    return audit.model_copy(update={"flags": tuple(build_flags(audit))})


def _so_far_minutes(repo: RepoCi) -> float:
    return repo.so_far.minutes if repo.so_far is not None else 0.0


def _org_totals(
    items: Sequence[UsageItem], months: Sequence[Month], today: date
) -> dict[Month, MonthlyActionsUsage]:
    return {
        (month.year, month.month): month for month in monthly_usage_of(items, months, today=today)
    }


def _repo_months(
    ledger: _Ledger, month: Month, totals: Mapping[Month, MonthlyActionsUsage]
) -> dict[str, RepoMonthUsage]:
    """Every repository's figures for `month`, cents apportioned from the org's totals."""
    keys = sorted({key for (when, key, _, _, _) in ledger.cells if when == month})
    minutes: dict[str, dict[str, Decimal]] = {key: {} for key in keys}
    money: dict[str, _Sums] = {key: _Sums() for key in keys}
    storage: dict[str, _Sums] = {key: _Sums() for key in keys}
    for (when, key, kind, sku, _), sums in ledger.cells.items():
        if when != month:
            continue
        if kind == "min":
            by_runner = minutes[key]
            by_runner[runner(sku)] = by_runner.get(runner(sku), Decimal(0)) + sums.quantity
            target = money[key]
        else:
            target = storage[key]
        target.quantity += sums.quantity
        target.gross += sums.gross
        target.discount += sums.discount
        target.net += sums.net
    org = totals.get(month)
    cents = {
        part: apportion(
            [getattr(money[key], part) for key in keys],
            round(getattr(org, part) * 100)
            if org is not None
            else to_cents(sum((getattr(money[key], part) for key in keys), Decimal(0))),
        )
        for part in ("gross", "discount", "net")
    }
    storage_net = apportion(
        [storage[key].net for key in keys],
        to_cents(sum((storage[key].net for key in keys), Decimal(0))),
    )
    out = {}
    for index, key in enumerate(keys):
        name = ledger.names[key]
        out[key] = RepoMonthUsage(
            repo=name,
            year=month[0],
            month=month[1],
            minutes_by_runner={
                r: float(minutes[key][r]) for r in RUNNERS if minutes[key].get(r, Decimal(0))
            },
            minutes=float(money[key].quantity),
            gross=cents["gross"][index] / 100,
            discount=cents["discount"][index] / 100,
            net=cents["net"][index] / 100,
            storage_gb_hours=float(storage[key].quantity),
            storage_net=storage_net[index] / 100,
        )
    return out


def _zero(name: str, month: Month) -> RepoMonthUsage:
    return RepoMonthUsage(repo=name, year=month[0], month=month[1])


def _repo_ci(
    name: str,
    key: str,
    history: tuple[RepoMonthUsage, ...],
    latest: Month | None,
    running: Month | None,
    totals: Mapping[Month, MonthlyActionsUsage],
    fork_names: set[str],
    known: Mapping[str, RepoInfo],
    forks_known: bool,
) -> RepoCi:
    by_month = {(m.year, m.month): m for m in history}
    full = [m for m in history if (m.year, m.month) != running]
    last = by_month[latest] if latest is not None else history[-1]
    index = full.index(last) if last in full else -1
    previous = full[index - 1] if index > 0 else None
    peak = max(full, key=lambda m: (m.minutes, m.year, m.month)) if full else None
    org = totals.get((last.year, last.month))
    org_minutes = org.minutes if org is not None else 0.0
    info = known.get(key)
    fork: bool | None = None
    if key in fork_names or (info is not None and info.fork):
        fork = True
    elif forks_known or info is not None:
        fork = False
    return RepoCi(
        repo=name,
        months=history,
        latest=last,
        previous=previous,
        so_far=by_month.get(running) if running is not None else None,
        peak=peak if peak is not None and peak.minutes > 0 else None,
        share=last.minutes / org_minutes if org_minutes else 0.0,
        fork=fork,
        archived=info.archived if info is not None else None,
    )


# --- flags -------------------------------------------------------------------------------------


def used_repos(audit: CiAudit) -> list[RepoCi]:
    """The repositories that used Actions minutes in the audit's latest month, in its order."""
    return [repo for repo in audit.repos if repo.latest.minutes > 0]


def previous_month_label(repos: Iterable[RepoCi]) -> str:
    """The month before the latest ("Oct 2026"), as the repositories carry it; "" without one."""
    for repo in repos:
        if repo.previous is not None:
            return repo.previous.label
    return ""


def build_flags(audit: CiAudit) -> list[CiFlag]:
    """The flags of the last full month (and, for forks and archived repositories, the month so
    far too), most minutes first; each says why it was raised."""
    flags: list[CiFlag] = []
    for repo in audit.repos:
        if repo.repo == NO_REPOSITORY:
            continue
        used = _used(repo)
        if repo.fork and used:
            flags.append(CiFlag(repo=repo.repo, kind="fork", why=f"a fork that used {used}"))
        if repo.archived and used:
            flags.append(
                CiFlag(repo=repo.repo, kind="archived", why=f"archived, yet it used {used}")
            )
        jump = _jump(repo, audit.jump_percent)
        if jump:
            flags.append(CiFlag(repo=repo.repo, kind="jump", why=jump))
        pricey = _pricey(repo)
        if pricey:
            flags.append(CiFlag(repo=repo.repo, kind="pricey_runners", why=pricey))
    return flags


def _used(repo: RepoCi) -> str:
    parts = []
    for month, label in ((repo.latest, repo.latest.label), (repo.so_far, None)):
        if month is None or month.minutes <= 0:
            continue
        when = label or f"{month.label} so far"
        parts.append(f"{month.minutes:,.0f} min in {when} ({format_money(month.net)} net)")
    return " and ".join(parts)


def _jump(repo: RepoCi, jump_percent: int) -> str:
    previous, latest = repo.previous, repo.latest
    if previous is None:
        return ""
    growth = latest.minutes - previous.minutes
    if growth < JUMP_MIN_MINUTES:
        return ""
    if previous.minutes > 0 and growth <= previous.minutes * jump_percent / 100:
        return ""
    percent = (
        f"+{growth / previous.minutes * 100:,.0f}%" if previous.minutes > 0 else "from nothing"
    )
    return (
        f"minutes jumped {percent}: {previous.minutes:,.0f} min in {previous.label} → "
        f"{latest.minutes:,.0f} min in {latest.label} (more than {jump_percent}% and "
        f"{JUMP_MIN_MINUTES:,} min)"
    )


def _pricey(repo: RepoCi) -> str:
    month = repo.latest
    linux = month.minutes_by_runner.get("Linux", 0.0)
    dear = {r: month.minutes_by_runner.get(r, 0.0) for r in ("macOS", "Windows")}
    dear_minutes = sum(dear.values())
    if dear_minutes < PRICEY_MIN_MINUTES or month.minutes <= 0:
        return ""
    if linux > month.minutes * TINY_LINUX_SHARE:
        return ""
    shown = " and ".join(
        f"{r} {minutes:,.0f} min ({PRICE_MULTIPLIER[r]} the Linux price)"
        for r, minutes in dear.items()
        if minutes > 0
    )
    return f"{shown} in {month.label}, Linux only {linux:,.0f} min: do these jobs need them?"


# --- ci-usage.csv ------------------------------------------------------------------------------


def build_usage_rows(usage: BillingUsage, audit: CiAudit) -> list[CiUsageRow]:
    """One row per month × repository × SKU (minutes and storage), oldest month first. Each
    repository's cents are apportioned to its SKUs, so the rows of a month add up to the
    repositories' figures, and the minute rows to the org's (the digest's) to the cent."""
    ledger = _ledger(usage.items, usage.org, audit.months)
    by_repo = {(m.year, m.month, m.repo.casefold()): m for repo in audit.repos for m in repo.months}
    rows: list[CiUsageRow] = []
    for month in audit.months:
        cells = sorted(
            (cell for cell in ledger.cells.items() if cell[0][0] == month),
            key=lambda cell: (ledger.names[cell[0][1]].casefold(), cell[0][2], cell[0][3]),
        )
        groups: dict[tuple[str, str], list[tuple[tuple[Month, str, str, str, str], _Sums]]] = {}
        for cell in cells:
            groups.setdefault((cell[0][1], cell[0][2]), []).append(cell)
        for (key, kind), group in groups.items():
            figures = by_repo.get((month[0], month[1], key))
            cents: dict[str, list[int]] = {}
            for part in ("gross", "discount", "net"):
                amounts = [getattr(sums, part) for _, sums in group]
                if kind == "min" and figures is not None:
                    total = round(getattr(figures, part) * 100)
                elif kind == "storage" and figures is not None and part == "net":
                    total = round(figures.storage_net * 100)
                else:
                    total = to_cents(sum(amounts, Decimal(0)))
                cents[part] = apportion(amounts, total)
            for index, ((_, _, _, sku, unit), sums) in enumerate(group):
                rows.append(
                    CiUsageRow(
                        year=month[0],
                        month=month[1],
                        repo=ledger.names[key],
                        sku=sku,
                        unit=unit,
                        quantity=float(sums.quantity),
                        gross=cents["gross"][index] / 100,
                        discount=cents["discount"][index] / 100,
                        net=cents["net"][index] / 100,
                    )
                )
    return rows


def change_words(now: float, before: float | None) -> str:
    """ "+12%", "−40%", "new", "0%" or "" (no month to compare with)."""
    if before is None:
        return ""
    if before <= 0:
        return "new" if now > 0 else "0%"
    percent = (now - before) / before * 100
    if round(percent) == 0:
        return "0%"
    return f"+{percent:,.0f}%" if percent > 0 else f"{MINUS}{-percent:,.0f}%"
