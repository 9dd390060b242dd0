"""Switch to another user, or create one by typing a new name."""

from __future__ import annotations

from collections.abc import Callable

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.validation import ValidationResult, Validator
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option

from memory.users import validate_user_name
from tui.screens.confirm_delete import ConfirmDeleteUserScreen


class UserNameValidator(Validator):
    def validate(self, value: str) -> ValidationResult:
        try:
            validate_user_name(value)
        except ValueError as error:
            return self.failure(str(error))
        return self.success()


class SwitchUserScreen(ModalScreen[str | None]):
    """Returns the chosen (valid) user name, or None when dismissed. F8 deletes the highlighted user (after
    typing their name) through ``delete``, which returns a line saying what went."""

    BINDINGS = [
        Binding("escape", "dismiss(None)", "Close"),
        Binding("f8", "delete_user", "Delete user", priority=True),
    ]

    def __init__(self, current: str, users: list[str], delete: Callable[[str], str] | None = None) -> None:
        super().__init__()
        self.current = current
        self.users = users
        self.delete = delete

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label(f"You are {self.current}. Pick a user or type a new name.", classes="dialog-title")
            yield OptionList(*[Option(name, id=name) for name in self.users], id="user-list")
            yield Input(placeholder="new user name, then Enter", validators=[UserNameValidator()], id="user-name")
            yield Label("", id="user-error")
            if self.delete is not None:
                yield Label("↑↓ pick a user · F8 deletes the highlighted one, for good", classes="dialog-hint")

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

    def action_delete_user(self) -> None:
        users = self.query_one("#user-list", OptionList)
        option = users.highlighted_option
        error = self.query_one("#user-error", Label)
        if self.delete is None or option is None or option.id is None:
            error.update("Highlight a user in the list (↑↓) to delete them.")
            return
        if option.id == self.current:
            error.update(f"You are chatting as {self.current}: switch to another user before deleting {self.current}.")
            return
        name = option.id
        self.app.push_screen(ConfirmDeleteUserScreen(name), lambda sure: self._deleting(name) if sure else None)

    def _deleting(self, name: str) -> None:
        self.query_one("#user-error", Label).update(f"Deleting {name}…")
        self._delete(name)

    @work(thread=True, exclusive=True, exit_on_error=False)
    def _delete(self, name: str) -> None:
        assert self.delete is not None
        try:
            said = self.delete(name)
        except Exception as error:  # noqa: BLE001 - reported; nothing else depends on it
            self.app.call_from_thread(self._deleted, name, f"Could not delete {name}: {error}", False)
            return
        self.app.call_from_thread(self._deleted, name, said, True)

    def _deleted(self, name: str, said: str, done: bool) -> None:
        self.query_one("#user-error", Label).update(said)
        if done:
            self.users = [user for user in self.users if user != name]
            users = self.query_one("#user-list", OptionList)
            users.remove_option(name)
            users.display = bool(self.users)
            self.notify(said, title="User deleted", timeout=8)
