"""Where a visitor stands in a form and where an answer leads: progress that never grows,
the way back to the summary after a change, and the shortcut past optional questions."""

from collections.abc import Mapping

from ..formspec import FormSpec

Answers = Mapping[str, str | list[str]]


def place_of(spec: FormSpec, answers: Answers, field) -> tuple[list, int]:
    """The fields now visible, and where `field` is among them (0 if it is not)."""
    visible = spec.visible_fields(answers)
    names = [f.name for f in visible]
    return visible, names.index(field.name) if field.name in names else 0


def next_field(spec: FormSpec, answers: Answers, field):
    """The step after `field` among the fields now visible, else the first required one still
    unanswered; None: the summary is next."""
    visible, place = place_of(spec, answers, field)
    later = visible[place + 1 :] if field in visible else []
    return later[0] if later else first_missing(spec, answers)


def progress(spec: FormSpec, answers: Answers, field) -> tuple[int, int]:
    """`field`'s place and the number of questions that can still be asked, counting a
    conditional question while the answer it depends on is still ahead (or is this one).

    Going forward, a question is counted from the start and dropped once the answer it
    depends on has hidden it: the total only ever shrinks while the visitor answers.
    """
    order = {f.name: index for index, f in enumerate(spec.fields)}
    here = order.get(field.name, 0)
    counted = [
        f.name
        for f in spec.fields
        if f.is_visible(answers)
        or any(order.get(condition.field, 0) >= here for condition in f.show_if)
    ]
    position = counted.index(field.name) if field.name in counted else 0
    return position + 1, len(counted)


def can_finish(spec: FormSpec, answers: Answers, field) -> bool:
    """Whether "Fertig" may lead from `field` straight to the summary: only optional
    questions follow it (and at least one does)."""
    visible = spec.visible_fields(answers)
    names = [f.name for f in visible]
    if field.name not in names:
        return False
    later = visible[names.index(field.name) + 1 :]
    return bool(later) and not any(f.required for f in later)


def review_queue(
    spec: FormSpec, before: Answers, after: Answers, then: tuple[str, ...] = ()
) -> tuple[str, ...]:
    """After an answer changed from the summary: the questions it made relevant that have no
    answer yet, and those still queued from an earlier change, in the form's order."""
    shown_before = {f.name for f in spec.visible_fields(before)}
    waiting = set(then)
    return tuple(
        f.name
        for f in spec.visible_fields(after)
        if after.get(f.name) is None and (f.name not in shown_before or f.name in waiting)
    )


def first_missing(spec: FormSpec, answers: Answers):
    """The first visible required field without an answer, if any."""
    return next(
        (f for f in spec.visible_fields(answers) if f.required and answers.get(f.name) is None),
        None,
    )
