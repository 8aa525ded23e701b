"""Small-cell suppression of a published count table, with secondary suppression.

A count under the threshold (default 5, ``ONEWINDOW_OPENDATA_MIN_CELL``) could single out a person, so it is
not published (primary suppression). Totals are published, so a row or column with only one hidden cell
would let anyone recover it by subtraction: another cell of that line is hidden too — the smallest, which
loses least information — or, when the line has no other cell, its total (secondary suppression). The
margins are lines as well (row totals with the grand total, column totals with the grand total), and the
rule is applied until nothing changes. A zero is published: it describes nobody.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass

TOTAL = "__total__"
Key = tuple[Hashable, Hashable]


@dataclass(frozen=True)
class SuppressedTable:
    """Cells keyed (row, column), totals under the key ``TOTAL``; ``None`` where suppressed."""

    rows: list[Hashable]
    columns: list[Hashable]
    values: dict[Key, int | None]
    primary: frozenset[Key]
    secondary: frozenset[Key]

    def value(self, row: Hashable, column: Hashable) -> int | None:
        return self.values[(row, column)]


def _lines(rows: Sequence[Hashable], columns: Sequence[Hashable]) -> list[tuple[list[Key], Key]]:
    """Every additive line: its member cells and the total they add up to."""
    all_rows: list[Hashable] = [*rows, TOTAL]
    all_columns: list[Hashable] = [*columns, TOTAL]
    lines: list[tuple[list[Key], Key]] = []
    for r in all_rows:
        lines.append(([(r, c) for c in columns], (r, TOTAL)))
    for c in all_columns:
        lines.append(([(r, c) for r in rows], (TOTAL, c)))
    return lines


def suppress(
    *, rows: Sequence[Hashable], columns: Sequence[Hashable], counts: dict[Key, int], threshold: int
) -> SuppressedTable:
    """The table with its margins, small cells hidden and enough others hidden that none can be recovered."""
    full: dict[Key, int] = {(r, c): int(counts.get((r, c), 0)) for r in rows for c in columns}
    for r in rows:
        full[(r, TOTAL)] = sum(full[(r, c)] for c in columns)
    for c in columns:
        full[(TOTAL, c)] = sum(full[(r, c)] for r in rows)
    full[(TOTAL, TOTAL)] = sum(full[(r, TOTAL)] for r in rows)

    primary = {key for key, n in full.items() if 0 < n < threshold}
    hidden = set(primary)
    lines = _lines(rows, columns)
    changed = True
    while changed:
        changed = False
        for members, total in lines:
            if total in hidden:
                continue
            hidden_members = [key for key in members if key in hidden]
            if len(hidden_members) != 1:
                continue
            # A hidden zero protects nothing (the pair would still add up to the small count): when no other
            # cell of the line has a count, its total is hidden instead.
            candidates = [key for key in members if key not in hidden and full[key] > 0]
            hidden.add(min(candidates, key=lambda key: full[key]) if candidates else total)
            changed = True
    return SuppressedTable(
        rows=list(rows),
        columns=list(columns),
        values={key: (None if key in hidden else n) for key, n in full.items()},
        primary=frozenset(primary),
        secondary=frozenset(hidden - primary),
    )
