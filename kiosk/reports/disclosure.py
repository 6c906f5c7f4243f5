"""Small-cell suppression: no printed number lets a reader work out a small count.

A count from 1 to k-1 (k = REPORT_MIN_CELL) is printed as "<k" (primary suppression). Zero stays
zero. Then other counts are hidden as "•" (secondary suppression) until nothing else the report
prints tells more about a "<k" count than "<k" itself:

- a table's total: the counts of an "exact" table add up to a total printed elsewhere (visits by
  reason add up to the visits); the counts of an "at_least" table (a multiple-choice question) add
  up to at least the number who answered, and none is larger than that;
- a rating table's mean, printed rounded, which weighs the counts once more;
- which cells were hidden: a reader knows that a "•" count is at least k and, knowing this
  procedure, at most the smallest count still shown.

The check is exact for these shapes: for every "<k" cell and every value 1..k-1 it searches for
counts of the other hidden cells that agree with everything printed. If some value has none, a
reader could rule it out, and the smallest count still shown is hidden too; if nothing is left to
hide, the mean is dropped, and after that the whole table is withheld.

Columns of different periods are protected one by one, each exactly as its own report does, and a
change between them is printed only where both counts are shown: so the previous period's column
adds nothing its own report did not print, and no difference uncovers a hidden count.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

DEFAULT_MIN_CELL = 3
MAX_MIN_CELL = 10
HIDDEN_MARK = "•"
# An upper bound on the search below; past it a table counts as unprotected (the safe side).
SEARCH_LIMIT = 200_000


class MinCellError(ValueError):
    """REPORT_MIN_CELL outside the allowed range."""


def min_cell(config) -> int:
    """REPORT_MIN_CELL from the app's config: default 3, at least 3, at most 10."""
    value = config.get("REPORT_MIN_CELL", DEFAULT_MIN_CELL)
    if not isinstance(value, int) or not DEFAULT_MIN_CELL <= value <= MAX_MIN_CELL:
        raise MinCellError(
            f"REPORT_MIN_CELL must be a whole number from {DEFAULT_MIN_CELL} to {MAX_MIN_CELL}"
        )
    return value


def german_number(value: int) -> str:
    """1234 → "1.234"."""
    return f"{value:,}".replace(",", ".")


def german_decimal(value: Fraction | float, decimals: int = 1) -> str:
    """4.25 → "4,3" (half up, as a reader rounds)."""
    scaled = Fraction(value) * 10**decimals
    rounded = math.floor(scaled + Fraction(1, 2))
    text = f"{rounded / 10**decimals:.{decimals}f}"
    return text.replace(".", ",")


@dataclass(frozen=True)
class Cell:
    """A count as printed: `value` is None when it is hidden."""

    value: int | None
    text: str
    kind: str = "shown"  # "shown", "small" (printed "<k") or "hidden" (printed "•")

    @classmethod
    def shown(cls, value: int) -> "Cell":
        return cls(value, german_number(value))

    @classmethod
    def small(cls, k: int) -> "Cell":
        return cls(None, f"<{k}", "small")

    @classmethod
    def hidden(cls) -> "Cell":
        return cls(None, HIDDEN_MARK, "hidden")

    def to_dict(self) -> dict:
        return {"value": self.value, "text": self.text, "kind": self.kind}


WITHHELD = Cell(None, "\N{EN DASH}", "withheld")


@dataclass(frozen=True)
class Mean:
    """A mean as printed, rounded to `decimals`; `exact` stays in memory only."""

    exact: Fraction
    decimals: int = 1

    @property
    def rounded(self) -> Fraction:
        scale = 10**self.decimals
        return Fraction(math.floor(self.exact * scale + Fraction(1, 2)), scale)

    @property
    def text(self) -> str:
        return german_decimal(self.exact, self.decimals)

    def weighted_sum_bounds(self, total: int) -> tuple[int, int]:
        """The sums of weights a reader finds consistent with the printed mean and total."""
        half = Fraction(1, 2 * 10**self.decimals)
        return (
            math.ceil(total * (self.rounded - half)),
            math.floor(total * (self.rounded + half)),
        )


@dataclass(frozen=True)
class Protected:
    """A table's counts as printed, the mean if it may be printed, or the table withheld."""

    cells: tuple[Cell, ...]
    mean: Mean | None = None
    withheld: bool = False


def protect(
    counts: Sequence[int],
    k: int,
    total: str | None = "exact",
    respondents: int | None = None,
    most: int | None = None,
    weights: Sequence[int] | None = None,
) -> Protected:
    """The counts of one table as they may be printed.

    `total` is "exact" (the counts add up to a printed total), "at_least" (multiple choice:
    they add up to at least `respondents`, at most `most` times `respondents`, each at most
    `respondents`) or None. With `weights` (a rating's values) the mean is printed too, with one
    decimal, when that is safe.
    """
    counts = list(counts)
    table_total = sum(counts) if total == "exact" else respondents
    if table_total is not None and 0 < table_total < k:
        return _withheld(counts)
    hidden = {i: "small" for i, count in enumerate(counts) if 0 < count < k}
    mean = _mean(counts, weights) if weights is not None else None
    table = _Table(counts, k, total, table_total, most, weights)
    while not table.safe(hidden, mean):
        candidates = [i for i, count in enumerate(counts) if count >= k and i not in hidden]
        if candidates:
            hidden[min(candidates, key=lambda i: (counts[i], i))] = "hidden"
        elif mean is not None:
            mean = None
        else:
            return _withheld(counts)
    cells = tuple(
        Cell.small(k)
        if hidden.get(i) == "small"
        else Cell.hidden()
        if hidden.get(i) == "hidden"
        else Cell.shown(count)
        for i, count in enumerate(counts)
    )
    return Protected(cells, mean)


def _withheld(counts) -> Protected:
    return Protected(tuple(WITHHELD for _ in counts), None, withheld=True)


def _mean(counts, weights) -> Mean | None:
    total = sum(counts)
    if not total:
        return None
    return Mean(Fraction(sum(c * w for c, w in zip(counts, weights, strict=True)), total))


def change(current: Cell, previous: Cell) -> str | None:
    """ "+5", "-3" (with a minus sign) or "±0" where both counts are shown, else None."""
    if current.value is None or previous.value is None:
        return None
    difference = current.value - previous.value
    if difference == 0:
        return "±0"
    sign = "+" if difference > 0 else "\N{MINUS SIGN}"
    return f"{sign}{german_number(abs(difference))}"


class _Table:
    """What a reader knows about one table: shown counts, bounds of hidden ones, totals, mean."""

    def __init__(self, counts, k, total, table_total, most, weights):
        self.counts = counts
        self.k = k
        self.total = total
        self.table_total = table_total
        self.most = most
        self.weights = weights

    def safe(self, hidden: dict[int, str], mean: Mean | None) -> bool:
        """True when every "<k" cell can still be any of 1..k-1, given all that is printed."""
        if self.total is None:
            return True
        return all(
            self._possible(i, value, hidden, mean)
            for i, kind in hidden.items()
            if kind == "small"
            for value in range(1, self.k)
        )

    def _bounds(self, kind: str, shown: list[int]) -> tuple[int, float]:
        cap = self.table_total if self.table_total is not None else math.inf
        if kind == "small":
            return 1, min(self.k - 1, cap)
        # Hidden as "•": at least k, and (the procedure being known) at most the smallest shown.
        smallest_shown = min((c for c in shown if c >= self.k), default=math.inf)
        return self.k, min(cap, smallest_shown)

    def _possible(self, i: int, value: int, hidden: dict[int, str], mean: Mean | None) -> bool:
        shown = [c for j, c in enumerate(self.counts) if j not in hidden]
        others = [j for j in hidden if j != i]
        bounds = [self._bounds(hidden[j], shown) for j in others]
        rest = self.table_total - sum(shown) - value
        if self.total == "exact":
            count_range = (rest, rest)
        else:
            upper = self.most * self.table_total - sum(shown) - value if self.most else math.inf
            count_range = (rest, upper)
        if mean is None:
            return _sum_possible(bounds, *count_range)
        low, high = mean.weighted_sum_bounds(self.table_total)
        shown_weight = sum(
            self.weights[j] * c for j, c in enumerate(self.counts) if j not in hidden
        )
        low -= shown_weight + self.weights[i] * value
        high -= shown_weight + self.weights[i] * value
        cells = [(lo, hi, self.weights[j]) for (lo, hi), j in zip(bounds, others, strict=True)]
        search = _WeightedSearch()
        return search.possible(cells, rest, low, high)


def _sum_possible(bounds, low, high) -> bool:
    """Whether counts within `bounds` can add up to something in [low, high]."""
    smallest = sum(lo for lo, _ in bounds)
    largest = sum(hi for _, hi in bounds)
    return smallest <= high and largest >= low and smallest <= largest


class _WeightedSearch:
    """Are there whole counts within bounds adding up to `count` whose weighted sum lies in
    [low, high]? Exact; gives up (answers no, the safe side) after SEARCH_LIMIT steps."""

    def __init__(self):
        self.steps = 0

    def possible(self, cells, count, low, high) -> bool:
        self.steps += 1
        if self.steps > SEARCH_LIMIT:
            return False
        if not cells:
            return count == 0 and low <= 0 <= high
        if not self._within_reach(cells, count, low, high):
            return False
        if len(cells) <= 2:
            return self._solve_small(cells, count, low, high)
        # Narrowest cell first: "<k" cells have few values, the rest is then often decided.
        index = min(range(len(cells)), key=lambda j: cells[j][1] - cells[j][0])
        lo, hi, weight = cells[index]
        rest = cells[:index] + cells[index + 1 :]
        rest_low = sum(c[0] for c in rest)
        for value in range(lo, int(min(hi, count - rest_low)) + 1):
            if self.possible(rest, count - value, low - weight * value, high - weight * value):
                return True
        return False

    @staticmethod
    def _within_reach(cells, count, low, high) -> bool:
        """The least and most weight `count` can carry within the bounds (a necessary test)."""
        if not sum(c[0] for c in cells) <= count <= sum(c[1] for c in cells):
            return False
        least = _extreme_weight(cells, count, reverse=False)
        most = _extreme_weight(cells, count, reverse=True)
        return least <= high and most >= low

    @staticmethod
    def _solve_small(cells, count, low, high) -> bool:
        if len(cells) == 1:
            lo, hi, weight = cells[0]
            return lo <= count <= hi and low <= weight * count <= high
        (lo1, hi1, w1), (lo2, hi2, w2) = cells
        # x1 + x2 = count, so the weighted sum is w2·count + (w1 - w2)·x1.
        first, last = max(lo1, count - hi2), min(hi1, count - lo2)
        if first > last:
            return False
        base, step = w2 * count, w1 - w2
        if step == 0:
            return low <= base <= high
        a, b = Fraction(low - base, step), Fraction(high - base, step)
        a, b = min(a, b), max(a, b)
        return max(first, math.ceil(a)) <= min(last, math.floor(b))


def _extreme_weight(cells, count, reverse: bool) -> float:
    """The least (or most) weighted sum: every cell at its lower bound, the rest poured into the
    lightest (or heaviest) cells first."""
    weight = sum(lo * w for lo, _, w in cells)
    left = count - sum(lo for lo, _, _ in cells)
    for lo, hi, w in sorted(cells, key=lambda c: c[2], reverse=reverse):
        if left <= 0:
            break
        poured = min(left, hi - lo)
        weight += poured * w
        left -= poured
    return weight
