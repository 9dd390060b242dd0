"""What the user thought of a reply: 👍, 👎, the reply they wanted instead, and what was wrong with it.

Each verdict is kept beside the reply, whose prompt the history already holds (the parts of the system prompt and
the user's turn as the model read it), so ``mnemo adapt`` can train the user's own adapter on them as preference
pairs (:mod:`assistant.adapter.preference`). Deleting the user deletes them with the rest of their history.
"""

from __future__ import annotations

from dataclasses import dataclass

from assistant.history import HistoryStore
from assistant.prompt import PromptBuilder, inert, parts_from_json

VERDICTS = ("good", "bad")


@dataclass(frozen=True)
class PreferencePair:
    """One rated reply and its prompt: ``chosen`` is what the user wanted ("" after a bare 👎), ``rejected``
    what they did not ("" after a 👍)."""

    message_id: int
    system: str
    prompt: str
    chosen: str
    rejected: str
    note: str = ""

    def chat(self, reply: str) -> list[dict[str, str]]:
        """The chat the model saw, answered with ``reply``."""
        return [
            {"role": "system", "content": self.system},
            {"role": "user", "content": self.prompt},
            {"role": "assistant", "content": reply},
        ]

    @property
    def is_pair(self) -> bool:
        return bool(self.chosen and self.rejected)


def last_reply_id(store: HistoryStore, session_id: str) -> int:
    """The newest reply of the session that has words in it. Raises ``LookupError`` when there is none."""
    for message in reversed(store.messages(session_id)):
        if message.role == "assistant" and message.status != "error" and message.content.strip():
            return message.id
    raise LookupError("there is no reply to rate yet")


def rate(store: HistoryStore, message_id: int, verdict: str, better: str = "", note: str = "") -> None:
    """Keep a verdict on a reply; ``better`` is the reply the user wanted, ``note`` what was wrong."""
    if verdict not in VERDICTS:
        raise ValueError(f"a verdict is 'good' or 'bad', not {verdict!r}")
    reply = store.get_message(message_id)
    if reply.role != "assistant":
        raise LookupError(f"message {message_id} is not a reply")
    better = better.strip()
    store.set_feedback(message_id, verdict, "" if better == reply.content.strip() else better, note.strip())


def preference_pairs(store: HistoryStore, user: str) -> list[PreferencePair]:
    """The user's rated replies with their prompts, oldest first; replies whose prompt was not kept are left out."""
    pairs = []
    sent: dict[str, dict[int, str]] = {}
    for row in store.feedback(user):
        stored = store.reply_context(row["message_id"])
        if stored is None or row["asked_id"] is None:
            continue
        as_sent = sent.setdefault(row["session_id"], store.as_sent(row["session_id"]))
        prompt = as_sent.get(row["asked_id"]) or inert(store.get_message(row["asked_id"]).content)
        system = inert(PromptBuilder.render(parts_from_json(stored)))
        reply = row["reply"]
        if row["better"]:
            chosen, rejected = row["better"], reply
        elif row["verdict"] == "good":
            chosen, rejected = reply, ""
        else:
            chosen, rejected = "", reply
        pairs.append(PreferencePair(row["message_id"], system, prompt, chosen, rejected, row["note"]))
    return pairs
