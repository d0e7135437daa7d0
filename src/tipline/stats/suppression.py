"""Small-cell suppression, primary and complementary.

Every published count under the threshold (but not zero) is withheld. That alone is not
enough: where published counts add up to a published total, one withheld cell is the total
minus the others. So counts are kept in groups (cells that add up to a total, the total
included), and in every group either nothing is withheld, or at least two cells are and,
when the total is published, the withheld cells add up to at least the threshold (so the
difference of two published figures never pins a small count down). Cells shared by several
groups (a year's total is the total of every breakdown of that year) are one object, so a
total withheld in one table is withheld in all. The groups are fixed whatever a caller asks
for, so every slice served (a year, all time) comes from the same suppressed table.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(eq=False)
class Count:
    value: int
    suppressed: bool = False

    def published(self) -> int | None:
        return None if self.suppressed else self.value


@dataclass
class Group:
    cells: list[Count]
    total: Count | None = None

    def members(self) -> list[Count]:
        return [*self.cells, *([self.total] if self.total is not None else [])]


@dataclass
class Suppressor:
    threshold: int
    groups: list[Group] = field(default_factory=list)

    def add(self, cells: list[Count], total: Count | None = None) -> None:
        self.groups.append(Group(list(cells), total))

    def _primary(self) -> None:
        for group in self.groups:
            for cell in group.members():
                if 0 < cell.value < self.threshold:
                    cell.suppressed = True

    def _unsafe(self, group: Group) -> bool:
        withheld = [c for c in group.members() if c.suppressed]
        if not withheld:
            return False
        if len(withheld) == 1:
            return True
        if group.total is not None and not group.total.suppressed:
            return sum(c.value for c in withheld) < self.threshold
        return False

    def _widen(self, group: Group) -> bool:
        """Withhold one more: the smallest published non-zero cell, else the total."""
        candidates = sorted(
            (c for c in group.cells if not c.suppressed and c.value > 0), key=lambda c: c.value
        )
        if candidates:
            candidates[0].suppressed = True
            return True
        if group.total is not None and not group.total.suppressed and group.total.value > 0:
            group.total.suppressed = True
            return True
        return False

    def run(self) -> None:
        self._primary()
        changed = True
        while changed:
            changed = False
            for group in self.groups:
                if self._unsafe(group) and self._widen(group):
                    changed = True
