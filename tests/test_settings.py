import tomllib
from pathlib import Path

import pytest

from assistant.settings import DEFAULT_CONFIG_FILE, Settings, SettingsError, load_settings
from memory.users import validate_user_name


def test_defaults_file_documents_every_option_with_the_model_defaults() -> None:
    text = DEFAULT_CONFIG_FILE.read_text()
    document = tomllib.loads(text)
    defaults = Settings.model_construct()
    for name, field in Settings.model_fields.items():
        section = getattr(defaults, name, None)
        if hasattr(type(section), "model_fields"):
            for sub_name, sub_field in type(section).model_fields.items():
                assert sub_field.description, f"{name}.{sub_name} has no description"
                assert f"{sub_name} =" in text, f"[{name}] {sub_name} is not documented in default.toml"
                if sub_name in document.get(name, {}):
                    assert document[name][sub_name] == getattr(type(section)(), sub_name), (name, sub_name)
        else:
            assert f"{name} =" in text, f"{name} is not documented in default.toml"
        assert field.description, f"{name} has no description"


def test_environment_overrides_files_and_nested_sections_use_double_underscore(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    user_file = tmp_path / "config.toml"
    user_file.write_text('user = "alice"\n[model]\nprofile = "tiny"\nmax_new_tokens = 64\n')
    monkeypatch.setenv("MNEMO_MODEL__MAX_NEW_TOKENS", "32")
    settings = load_settings(user_file)
    assert settings.user == "alice"
    assert settings.model.profile == "tiny"
    assert settings.model.max_new_tokens == 32
    assert settings.model.temperature == 0.7  # untouched default from config/default.toml


def test_user_config_file_comes_from_xdg_config_home(isolated_environment: Path) -> None:
    config = isolated_environment / "home" / ".config" / "mnemo"
    config.mkdir(parents=True)
    (config / "config.toml").write_text('[tui]\ntheme = "nord"\n')
    assert load_settings().tui.theme == "nord"


def test_data_dir_follows_mnemo_data_dir(isolated_environment: Path) -> None:
    assert load_settings().data_dir == isolated_environment / "data"


def test_bad_environment_value_names_the_field(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MNEMO_MODEL__THREADS", "-3")
    with pytest.raises(SettingsError) as error:
        load_settings()
    assert "model.threads" in str(error.value)
    assert "MNEMO_MODEL__THREADS" in str(error.value)


def test_unknown_key_in_a_config_file_is_an_error(tmp_path: Path) -> None:
    user_file = tmp_path / "config.toml"
    user_file.write_text("[model]\nprofle = 'tiny'\n")
    with pytest.raises(SettingsError, match="model.profle"):
        load_settings(user_file)


def test_malformed_toml_is_reported(tmp_path: Path) -> None:
    user_file = tmp_path / "config.toml"
    user_file.write_text("[model\n")
    with pytest.raises(SettingsError, match="could not read settings"):
        load_settings(user_file)


def test_model_path_must_exist() -> None:
    with pytest.raises(SettingsError, match="model.path"):
        load_settings(model={"path": "/nonexistent/model.gguf"})


@pytest.mark.parametrize("name", ["alice", "Bob_2", "x", "a-b"])
def test_valid_user_names(name: str) -> None:
    assert validate_user_name(name) == name


@pytest.mark.parametrize("name", ["", "..", "../etc", "a/b", "with space", "-x", "é", "a" * 33, "x\n"])
def test_user_names_with_path_tricks_are_refused(name: str) -> None:
    with pytest.raises(ValueError, match="invalid user name"):
        validate_user_name(name)
