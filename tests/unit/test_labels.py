"""Enum values show with their own enum's name, even when two enums share a value."""

from __future__ import annotations

from matchmaker.fields import IntroductionStatus, MeetingStatus, NeedType, Participation
from matchmaker.labels import label_of


def test_shared_values_keep_their_own_labels() -> None:
    assert label_of(Participation.ACCEPTED) == "Taking part"
    assert label_of(IntroductionStatus.ACCEPTED) == "Accepted"
    assert label_of(MeetingStatus.ACCEPTED) == "Accepted"
    assert label_of(NeedType.SUPPLY_CHAIN) == "Supply chain"
