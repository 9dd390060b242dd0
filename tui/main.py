"""Entry point of the ``mnemo`` command: the CLI, with the chat app as its default command."""

from __future__ import annotations

from collections.abc import Sequence

from assistant.cli import main as cli_main
from assistant.settings import Settings


def run_app(settings: Settings, user: str, session_id: str | None) -> int:
    from assistant.factory import build_assistant
    from tui.app import MnemoApp

    assistant = build_assistant(settings)
    try:
        MnemoApp(assistant, user=user, session_id=session_id).run()
    finally:
        assistant.close()
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    return cli_main(argv, run_app=run_app)


if __name__ == "__main__":
    raise SystemExit(main())
