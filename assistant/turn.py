"""One turn, start to end: the message is stored, the reply streams, memory learns from it — and the turn always
ends as finished, cancelled, failed or refused, whatever breaks on the way.

The TUI, ``mnemo ask`` and the benchmarks all run turns through :func:`run_turn`. What may fail and what
happens then:

- an empty message, or one too long for the model on its own, or a model that cannot load: *refused*, nothing
  stored, the reason given (the front end gives the text back);
- recall (a Chroma server that is down): the reply comes without memory and a notice says why;
- the model, mid-reply: *failed*, the message kept, the partial reply marked failed;
- writing memory: the message stays in the memory backlog and is remembered at a later turn.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from assistant.conversation import Conversation, EmptyMessageError, MessageTooLongError, ReplyResult
from assistant.models.base import CancelToken, ModelError
from assistant.prompt import AttachmentContext

if TYPE_CHECKING:
    from memory.writer import WriteReport


class TurnOutcome(StrEnum):
    FINISHED = "finished"
    CANCELLED = "cancelled"
    FAILED = "failed"
    """The message is kept; the reply failed (its error says why)."""
    REFUSED = "refused"
    """Nothing was stored: the message was empty or too long, or the model could not load."""


@dataclass
class TurnResult:
    outcome: TurnOutcome
    reply: ReplyResult
    reason: str = ""
    """Why the turn was refused or failed, one sentence (empty for an empty message)."""
    memory: WriteReport | None = None
    """What the turn (and any backlog caught up on) taught memory."""
    memory_error: str = ""
    """Memory could not be updated; the message waits in the backlog."""
    notices: list[str] = field(default_factory=list)
    """Everything the user should see beside the reply: warnings, memory unavailable, memory not updated."""


def run_turn(
    conversation: Conversation,
    text: str,
    *,
    cancel: CancelToken | None = None,
    attachments: Sequence[AttachmentContext] = (),
    now: datetime | None = None,
    on_piece: Callable[[str], None] | None = None,
    on_reply: Callable[[ReplyResult], None] | None = None,
    remember: bool = True,
) -> TurnResult:
    """Take ``text`` through recall → prompt → model → history → memory. Never raises for what the user or the
    machine did: the outcome says how it ended. ``on_piece`` gets the reply as it streams; ``on_reply`` the
    finished reply, before memory is written (so a front end shows it first)."""
    cancel = cancel or CancelToken()
    earlier = conversation.last_reply
    try:
        for piece in conversation.send(text, cancel, attachments, now, remember):
            if on_piece is not None:
                on_piece(piece)
    except EmptyMessageError:
        return TurnResult(TurnOutcome.REFUSED, ReplyResult())  # nothing to say: nothing was said
    except MessageTooLongError as error:
        return TurnResult(TurnOutcome.REFUSED, ReplyResult(), str(error))
    except ModelError as error:
        return TurnResult(TurnOutcome.REFUSED, ReplyResult(), f"The model could not be loaded: {error}")
    except Exception as error:  # noqa: BLE001 - the history itself failed (a full disk, a damaged file)
        reply = conversation.last_reply
        if reply is earlier or reply.user_message_id is None:
            return TurnResult(TurnOutcome.REFUSED, ReplyResult(), f"Could not store the message: {error}")
        reply.status, reply.error = "error", f"Could not store the reply: {error}"
        return TurnResult(TurnOutcome.FAILED, reply, reply.error)
    reply = conversation.last_reply
    result = TurnResult(_outcome(reply), reply, reply.error or "", notices=[*reply.notices, *reply.unavailable])
    if on_reply is not None:
        on_reply(reply)
    if remember:
        _remember(conversation, result)
    return result


def _outcome(reply: ReplyResult) -> TurnOutcome:
    if reply.status == "error":
        return TurnOutcome.FAILED
    return TurnOutcome.CANCELLED if reply.status == "cancelled" else TurnOutcome.FINISHED


def _remember(conversation: Conversation, result: TurnResult) -> None:
    """Learn from the turn, after catching up on any backlog; memory trouble is reported, never fatal."""
    try:
        caught_up = conversation.catch_up_memory()
        report = conversation.remember_last_turn()
    except Exception as error:  # noqa: BLE001 - the reply is out; the message waits in the backlog
        trouble = conversation.memory.trouble(error) if conversation.memory is not None else str(error)
        result.memory_error = trouble
        result.notices.append(f"⚠ memory not updated ({trouble}); it will catch up on this message later")
        return
    if caught_up is not None and report is not None:
        caught_up += report
        result.memory = caught_up
    else:
        result.memory = report or caught_up
