"""The first step of adding a profile entry by hand: which section it belongs to."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

from memory.profile import SECTION_LABELS, ProfileSection

SECTION_HINTS = {
    ProfileSection.IDENTITY: ("name, age, home, job, languages", "name", "Sam"),
    ProfileSection.HEALTH: ("allergies, diet, conditions, medication", "diet", "vegetarian"),
    ProfileSection.PEOPLE: ("who is who in your life", "ana", "sister, lives in Porto"),
    ProfileSection.PETS: ("your animals", "bo", "grey cat, 4 years old"),
    ProfileSection.LIKES: ("things you enjoy", "coffee", "flat white, no sugar"),
    ProfileSection.DISLIKES: ("things you avoid", "food", "coriander"),
    ProfileSection.ROUTINES: ("what you do when", "running", "Tuesday and Friday mornings"),
    ProfileSection.ANSWER_STYLE: ("how answers should read", "length", "short"),
}


def section_label(section: ProfileSection) -> str:
    return SECTION_LABELS.get(section, section.value.replace("_", " ").capitalize())


class PickSectionScreen(ModalScreen[ProfileSection | None]):
    """The first step of adding a profile entry: which section it belongs to (None when cancelled)."""

    DEFAULT_CSS = """
    PickSectionScreen { align: center middle; }
    PickSectionScreen #section-list { height: auto; max-height: 12; }
    """
    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel")]

    def compose(self) -> ComposeResult:
        options = [
            Option(Text.assemble((section_label(section), "bold"), f"  {hint}"), id=section.value)
            for section, (hint, _, _) in SECTION_HINTS.items()
        ]
        with Vertical(id="dialog"):
            yield Label("Add to which section? Enter picks, Escape cancels", classes="dialog-title")
            yield OptionList(*options, id="section-list")

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(ProfileSection(event.option.id) if event.option.id else None)
