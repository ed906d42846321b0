"""What learning reads: a user's ratings with features of the answers they rated."""

from __future__ import annotations

import hashlib
import re
import uuid
from dataclasses import dataclass

_EMOJI = re.compile("[\U0001f300-\U0001faff\U00002600-\U000027bf\U0001f000-\U0001f2ff]")
_CJK = re.compile(r"[\u4e00-\u9fff]")
_LIST_LINE = re.compile(r"^\s*(?:[-*•]|\d+[.)、])\s+", re.MULTILINE)
_HEADING = re.compile(r"^\s*#{1,6}\s", re.MULTILINE)
_TABLE_ROW = re.compile(r"^\s*\|.*\|\s*$", re.MULTILINE)


@dataclass(frozen=True)
class FeedbackSample:
    """One rating and the answer it was about."""

    id: uuid.UUID
    rating: str
    score: int | None
    tags: tuple[str, ...]
    comment: str
    scenario_id: uuid.UUID | None
    answer: str

    @property
    def positive(self) -> bool:
        return self.rating == "up"

    @property
    def length(self) -> int:
        """Words for Latin text plus characters for Chinese, a size comparable across both."""
        return len(_CJK.findall(self.answer)) + len(re.findall(r"[A-Za-z0-9]+", self.answer))

    @property
    def has_list(self) -> bool:
        return len(_LIST_LINE.findall(self.answer)) >= 2

    @property
    def has_headings(self) -> bool:
        return bool(_HEADING.search(self.answer))

    @property
    def has_emoji(self) -> bool:
        return bool(_EMOJI.search(self.answer))

    @property
    def has_table(self) -> bool:
        return len(_TABLE_ROW.findall(self.answer)) >= 2


FeedbackRow = tuple[
    str, str, int | None, str | None, str
]  # id, rating, score, tags (stored JSON), comment as stored


def feedback_hash(rows: list[FeedbackRow]) -> str:
    """A stable hash of a user's feedback: unchanged ratings give the same hash, so learning is skipped.

    Built from plain strings rather than JSON: the unchanged re-run hashes every user's data and must be fast.
    """
    digest = hashlib.sha256()
    for feedback_id, rating, score, tags, comment in sorted(rows, key=lambda r: r[0]):
        fields = (feedback_id, rating, str(score), tags or "", comment or "")
        digest.update((_FIELD_SEPARATOR.join(fields) + _ROW_SEPARATOR).encode())
    return digest.hexdigest()


# ASCII separator characters: they cannot be confused with text a person types.
_FIELD_SEPARATOR, _ROW_SEPARATOR = "\x1e", "\x1d"
