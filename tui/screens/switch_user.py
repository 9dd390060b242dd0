"""Switch to another user, or create one by typing a new name."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.validation import ValidationResult, Validator
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option

from memory.users import validate_user_name


class UserNameValidator(Validator):
    def validate(self, value: str) -> ValidationResult:
        try:
            validate_user_name(value)
        except ValueError as error:
            return self.failure(str(error))
        return self.success()


class SwitchUserScreen(ModalScreen[str | None]):
    """Returns the chosen (valid) user name, or None when dismissed."""

    BINDINGS = [Binding("escape", "dismiss(None)", "Close")]

    def __init__(self, current: str, users: list[str]) -> None:
        super().__init__()
        self.current = current
        self.users = users

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label(f"You are {self.current}. Pick a user or type a new name.", classes="dialog-title")
            yield OptionList(*[Option(name, id=name) for name in self.users], id="user-list")
            yield Input(placeholder="new user name, then Enter", validators=[UserNameValidator()], id="user-name")
            yield Label("", id="user-error")

    def on_mount(self) -> None:
        self.query_one("#user-list", OptionList).display = bool(self.users)
        self.query_one(Input).focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        result = event.validation_result
        if result is not None and not result.is_valid:
            self.query_one("#user-error", Label).update(" ".join(result.failure_descriptions))
            return
        self.dismiss(event.value)
