"""Checklist progress per stage, for one round or many at once, in a constant number of queries."""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count

from .models import Answer, AnswerStatus, ChecklistItem


@dataclass
class StageProgress:
    stage_key: str
    total: int
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def answered(self) -> int:
        return sum(self.counts.values())

    @property
    def share(self) -> float:
        """Done counts whole, partly counts half; items marked not relevant leave the count."""
        relevant = self.total - self.counts.get(AnswerStatus.NOT_RELEVANT, 0)
        if relevant <= 0:
            return 0.0
        score = self.counts.get(AnswerStatus.DONE, 0) + 0.5 * self.counts.get(AnswerStatus.PARTLY, 0)
        return min(1.0, score / relevant)

    @property
    def percent(self) -> int:
        return round(self.share * 100)


def items_per_stage() -> dict[str, int]:
    """How many team-answerable items each stage has (the private reflection item is not one)."""
    rows = (
        ChecklistItem.objects.exclude(kind=ChecklistItem.REFLECTION)
        .values("component__stage__key").annotate(n=Count("pk"))
    )
    return {row["component__stage__key"]: row["n"] for row in rows}


def progress_for_rounds(round_ids, totals=None) -> dict[int, dict[str, StageProgress]]:
    """{round_id: {stage_key: StageProgress}} for every round given: two queries however many."""
    totals = totals if totals is not None else items_per_stage()
    result: dict[int, dict[str, StageProgress]] = defaultdict(
        lambda: {key: StageProgress(key, total) for key, total in totals.items()}
    )
    rows = (
        Answer.objects.filter(round_id__in=list(round_ids))
        .exclude(item__kind=ChecklistItem.REFLECTION)
        .values("round_id", "item__component__stage__key", "status").annotate(n=Count("pk"))
    )
    for row in rows:
        stage = result[row["round_id"]][row["item__component__stage__key"]]
        stage.counts[row["status"]] = row["n"]
    return {round_id: result[round_id] for round_id in round_ids}
