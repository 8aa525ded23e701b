"""Small-cell suppression: a count under the threshold is hidden, and so is another cell of every line that
would otherwise let it be recovered from the published totals."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from onewindow.opendata.suppression import TOTAL, _lines, suppress


def _recoverable(result) -> list:
    """Cells that a reader could work out: the one hidden member of a line whose total is published."""
    found = []
    for members, total in _lines(result.rows, result.columns):
        hidden = [key for key in members if result.values[key] is None]
        if result.values[total] is not None and len(hidden) == 1:
            found.append(hidden[0])
    return found


def test_a_cell_under_the_threshold_is_suppressed_and_a_second_cell_of_its_row_and_column_too():
    counts = {
        ("a", "jan"): 3,
        ("a", "feb"): 20,
        ("a", "mar"): 9,
        ("b", "jan"): 12,
        ("b", "feb"): 30,
        ("b", "mar"): 7,
    }

    result = suppress(rows=["a", "b"], columns=["jan", "feb", "mar"], counts=counts, threshold=5)

    assert result.value("a", "jan") is None
    assert ("a", "jan") in result.primary
    # Row a and column jan each need a second hidden cell: the smallest others, a/mar (9) and b/jan (12).
    assert result.value("a", "mar") is None
    assert result.value("b", "jan") is None
    # … and then row b and column mar need one more: b/mar (7).
    assert result.value("b", "mar") is None
    assert result.secondary == {("a", "mar"), ("b", "jan"), ("b", "mar")}
    assert result.value("a", TOTAL) == 32
    assert result.value(TOTAL, TOTAL) == 81
    assert _recoverable(result) == []


def test_counts_at_or_over_the_threshold_and_zeros_are_published():
    result = suppress(rows=["a"], columns=["x", "y"], counts={("a", "x"): 5, ("a", "y"): 0}, threshold=5)

    assert result.values[("a", "x")] == 5
    assert result.values[("a", "y")] == 0
    assert not result.primary and not result.secondary


def test_a_line_whose_other_cells_are_all_zero_hides_its_total():
    result = suppress(
        rows=["a", "b"],
        columns=["x", "y"],
        counts={("a", "x"): 2, ("b", "y"): 40, ("b", "x"): 30},
        threshold=5,
    )

    assert result.value("a", "x") is None
    assert result.value("a", TOTAL) is None
    assert _recoverable(result) == []


def test_the_threshold_is_configurable():
    result = suppress(rows=["a", "b"], columns=["x"], counts={("a", "x"): 8, ("b", "x"): 30}, threshold=10)

    assert result.value("a", "x") is None


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.lists(st.integers(min_value=0, max_value=30), min_size=1, max_size=5), min_size=1, max_size=5
    ),
    st.integers(min_value=1, max_value=10),
)
def test_no_suppressed_cell_can_be_recovered_from_a_single_line(grid, threshold):
    width = min(len(row) for row in grid)
    rows = list(range(len(grid)))
    columns = list(range(width))
    counts = {(r, c): grid[r][c] for r in rows for c in columns}

    result = suppress(rows=rows, columns=columns, counts=counts, threshold=threshold)

    assert _recoverable(result) == []
    for key, n in counts.items():
        if 0 < n < threshold:
            assert result.values[key] is None
