"""`mnemo adapt --user NAME`: train the user's own adapter on the replies they rated (F8 👍, F9 👎 or an edited
reply in the chat), and say what it changed on rated replies it never trained on.

A few hundred steps on 2 cores: minutes for dozens of rated replies, an overnight job for hundreds. The adapter is
written to `DATA_DIR/adapters/NAME` and applies from the next start, stacked on the memory adapter for that
user's replies only; `mnemo user delete NAME` deletes it.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from assistant.settings import Settings

if TYPE_CHECKING:
    from assistant.adapter.preference import PreferenceConfig
    from assistant.feedback import PreferencePair


def add_adapt_command(commands: Any, user_type: Callable[[str], str]) -> None:
    adapt = commands.add_parser(
        "adapt",
        help="train your own adapter on the replies you rated (F8/F9 in the chat); minutes to hours",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    adapt.add_argument("--user", type=user_type, default=argparse.SUPPRESS, help="whose rated replies")
    adapt.add_argument("--epochs", type=int, default=4, help="passes over the rated replies (default 4)")
    adapt.add_argument("--remove", action="store_true", help="delete the user's adapter instead")
    adapt.add_argument("--json", action="store_true", help="print the figures as JSON")


def install_user_adapter(
    settings: Settings,
    user: str,
    pairs: Sequence[PreferencePair],
    config: PreferenceConfig,
    progress: Callable[[int, int, float], None] = lambda done, total, loss: None,
) -> dict[str, Any]:
    """Train the user's adapter for the configured model and put it in place (the old one stays until the new one
    is complete); its figures."""
    from assistant.adapter import PARTIAL, TRAINED_ON, adapter_for, fingerprint, user_adapter_dir
    from assistant.adapter.preference import train_user_adapter
    from assistant.models.model_cache import ModelSource, prepare_model_dir
    from assistant.progress import StderrProgress

    model = settings.model
    source = ModelSource.from_settings(model.profile, model.path)
    model_dir = prepare_model_dir(source, settings.cache_dir, StderrProgress())
    memory_adapter = adapter_for(model.adapter, model.profile, model.path)
    target = user_adapter_dir(settings.data_dir, user)
    partial = target.with_name(user + PARTIAL)
    shutil.rmtree(partial, ignore_errors=True)
    figures = train_user_adapter(model_dir, memory_adapter, pairs, partial, config, progress)
    stamp = {"memory_adapter": fingerprint(memory_adapter), "figures": figures}
    (partial / TRAINED_ON).write_text(json.dumps(stamp, indent=2) + "\n")
    shutil.rmtree(target, ignore_errors=True)
    partial.rename(target)
    return figures


def run_adapt(settings: Settings, user: str, args: argparse.Namespace) -> int:
    from assistant.adapter import user_adapter_dir
    from assistant.adapter.preference import MIN_RATED, PreferenceConfig
    from assistant.feedback import preference_pairs
    from assistant.history import HistoryStore

    if args.remove:
        target = user_adapter_dir(settings.data_dir, user)
        existed = target.exists()
        shutil.rmtree(target, ignore_errors=True)
        print(f"removed {user}'s adapter" if existed else f"{user} has no adapter", file=sys.stderr)
        return 0
    model = settings.model
    if model.backend in ("openai", "fake"):
        print(
            f'mnemo: a user\'s adapter is trained for the packaged model; model.backend = "{model.backend}" runs '
            "another one",
            file=sys.stderr,
        )
        return 2
    store = HistoryStore(settings.data_dir)
    try:
        pairs = preference_pairs(store, user)
    finally:
        store.close()
    if len(pairs) < MIN_RATED:
        print(
            f"mnemo: {user} has rated {len(pairs)} replies; rate at least {MIN_RATED} in the chat (F8 good, F9 not "
            "like that, where you can also write the reply you wanted), then run this again",
            file=sys.stderr,
        )
        return 2
    from assistant.models.base import LoadProgress
    from assistant.progress import StderrProgress

    show = StderrProgress()
    print(f"training {user}'s adapter on {len(pairs)} rated replies", file=sys.stderr)
    figures = install_user_adapter(
        settings,
        user,
        pairs,
        PreferenceConfig(epochs=args.epochs),
        lambda done, total, loss: show(LoadProgress(f"training {user}'s adapter", done, total)),
    )
    if args.json:
        print(json.dumps(figures, indent=2))
        return 0
    before, after = figures["held_out_preferred_before"], figures["held_out_preferred_after"]
    if before is None:
        effect = "no rated reply with a better one written in was left over to check it on"
    else:
        effect = f"on {figures['held_out_pairs']} held-out rated replies, the reply you wanted is now the likelier "
        effect += f"one {after:.0%} of the time (before: {before:.0%})"
    where = user_adapter_dir(settings.data_dir, user)
    loss = f"loss {figures['first_loss']} -> {figures['last_loss']}"
    took = f"{figures['wall_s']:.0f} s, {loss}"
    print(f"{user}'s adapter is saved in {where} ({took}); {effect}. It applies from the next start.")
    return 0
