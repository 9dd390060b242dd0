"""Any OpenAI-compatible chat server (vLLM, Ollama, llama.cpp's server, LM Studio) as the chat model.

Replies stream over server-sent events from ``POST {base_url}/chat/completions``. Connection failures are
retried with backoff before the first piece arrives (never after: a half-written reply is not sent twice);
the API key is sent as a bearer token and never appears in messages, logs or ``repr``.
"""

from __future__ import annotations

import base64
import json
import mimetypes
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx

from assistant.models.base import CancelToken, ChatMessage, GenerationOptions, ModelError

if TYPE_CHECKING:
    from assistant.settings import ModelSettings

CHARS_PER_TOKEN = 3.5  # a conservative estimate: the server's tokenizer is not known here
MESSAGE_FRAME_TOKENS = 4
BACKOFF_S = (0.5, 1.0, 2.0, 4.0)


class OpenAIChatModel:
    """Chat with a model served over the OpenAI chat-completions API."""

    def __init__(
        self,
        base_url: str,
        model: str,
        *,
        api_key: str | None = None,
        accepts_images: bool = False,
        context_window: int = 4096,
        timeout_s: float = 60.0,
        retries: int = 3,
        client: httpx.Client | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.model = model
        self.accepts_images = accepts_images
        self.context_window = context_window
        self.retries = retries
        self.name = self._label()
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._client = client or httpx.Client(
            headers=headers, timeout=httpx.Timeout(timeout_s, connect=min(timeout_s, 10.0))
        )
        self.timeout_s = timeout_s

    @classmethod
    def from_settings(
        cls, settings: ModelSettings, *, timeout_s: float | None = None, retries: int | None = None
    ) -> OpenAIChatModel:
        """The model ``[model]`` configures (``timeout_s``/``retries`` override it, as a quick probe does)."""
        return cls(
            settings.base_url,
            settings.server_model,
            api_key=settings.api_key.get_secret_value() if settings.api_key else None,
            accepts_images=settings.server_accepts_images,
            context_window=settings.context_window,
            timeout_s=settings.timeout_s if timeout_s is None else timeout_s,
            retries=settings.retries if retries is None else retries,
        )

    def _label(self) -> str:
        """Shown in the status line and stored with replies: "qwen2.5 @ gpu-box"."""
        return f"{self.model or 'server model'} @ {httpx.URL(self.base_url).host}"

    def __repr__(self) -> str:  # never the key
        return f"OpenAIChatModel({self.base_url!r}, {self.model!r})"

    # -- the server ---------------------------------------------------------------------------------
    def available_models(self) -> list[str]:
        """The model names the server offers (``GET /models``)."""
        response = self._request("GET", "/models")
        return [str(item.get("id")) for item in response.json().get("data", []) if item.get("id")]

    def check(self, offered: Sequence[str] | None = None) -> None:
        """Fail now, with a sentence, if the server is down or does not serve ``model``; with no model named,
        take the first one the server offers. ``offered``: the server's list, when already fetched."""
        names = list(offered) if offered is not None else self.available_models()
        if not self.model:
            if not names:
                raise ModelError(f"The model server at {self.base_url} lists no models; set model.server_model.")
            self.model = names[0]
            self.name = self._label()
        elif names and self.model not in names:
            raise ModelError(
                f"The model server at {self.base_url} has no model called {self.model!r}; it offers "
                f"{', '.join(repr(name) for name in names)}. Set model.server_model to one of them."
            )

    def _request(self, method: str, path: str, body: dict[str, Any] | None = None) -> httpx.Response:
        for attempt in range(self.retries + 1):
            try:
                response = self._client.request(method, self.base_url + path, json=body)
            except httpx.TimeoutException as error:
                raise self._timed_out() from error
            except httpx.TransportError as error:
                if attempt < self.retries:
                    self._back_off(attempt)
                    continue
                raise self._unreachable(error) from error
            self._raise_for_status(response)
            return response
        raise AssertionError("unreachable")

    def _back_off(self, attempt: int) -> None:
        time.sleep(BACKOFF_S[min(attempt, len(BACKOFF_S) - 1)])

    def _timed_out(self, *, mid_reply: bool = False) -> ModelError:
        if mid_reply:
            return ModelError(f"The model server at {self.base_url} stopped answering ({self.timeout_s:.0f} s).")
        return ModelError(f"The model server at {self.base_url} did not answer within {self.timeout_s:.0f} s.")

    def _unreachable(self, error: Exception) -> ModelError:
        return ModelError(f"Cannot reach the model server at {self.base_url} ({type(error).__name__}). Is it running?")

    def _raise_for_status(self, response: httpx.Response) -> None:
        if response.status_code < 400:
            return
        detail = response.read().decode("utf-8", "replace")
        try:  # {"error": {"message": …}} or {"error": "…"}; anything else is shown as sent
            message = json.loads(detail).get("error", detail)
            message = message.get("message", message) if isinstance(message, dict) else message
        except (ValueError, AttributeError):
            message = detail
        if response.status_code in (401, 403):
            raise ModelError(f"The model server at {self.base_url} refused the API key (HTTP {response.status_code}).")
        if response.status_code == 404 and "model" in str(message).lower():
            raise ModelError(f"The model server at {self.base_url} does not know the model {self.model!r}: {message}")
        raise ModelError(f"The model server at {self.base_url} answered HTTP {response.status_code}: {message}")

    # -- the ChatModel protocol ----------------------------------------------------------------------
    def count_tokens(self, messages: Sequence[ChatMessage]) -> int:
        return sum(round(len(message.content) / CHARS_PER_TOKEN) + MESSAGE_FRAME_TOKENS for message in messages) + 2

    def stream(self, messages: Sequence[ChatMessage], options: GenerationOptions, cancel: CancelToken) -> Iterator[str]:
        body = {
            "model": self.model,
            "messages": [self._message(message) for message in messages],
            "stream": True,
            "max_tokens": options.max_new_tokens,
            "temperature": options.temperature,
            "top_p": options.top_p,
        }
        for attempt in range(self.retries + 1):
            started = False  # once a piece is out, a failure is reported, never retried (no reply twice)
            try:
                with self._client.stream("POST", self.base_url + "/chat/completions", json=body) as response:
                    self._raise_for_status(response)
                    for piece in self._pieces(response, cancel):
                        started = True
                        yield piece
                return
            except httpx.TimeoutException as error:
                raise self._timed_out(mid_reply=True) from error
            except httpx.TransportError as error:
                if attempt < self.retries and not started:
                    self._back_off(attempt)
                    continue
                raise self._unreachable(error) from error

    @staticmethod
    def _pieces(response: httpx.Response, cancel: CancelToken) -> Iterator[str]:
        for line in response.iter_lines():
            if cancel.cancelled:
                return  # leaving the block closes the connection: the server stops generating
            if not line.startswith("data:"):
                continue
            data = line[5:].strip()
            if data == "[DONE]":
                return
            try:
                chunk = json.loads(data)
            except ValueError:
                continue
            if "error" in chunk:
                error = chunk["error"]
                detail = error.get("message", error) if isinstance(error, dict) else error
                raise ModelError(f"The model server failed mid-reply: {detail}")
            for choice in chunk.get("choices", []):
                piece = (choice.get("delta") or {}).get("content")
                if piece:
                    yield piece

    def _message(self, message: ChatMessage) -> dict[str, Any]:
        if not (self.accepts_images and message.images):
            return {"role": message.role, "content": message.content}
        parts: list[dict[str, Any]] = [{"type": "text", "text": message.content}]
        parts.extend({"type": "image_url", "image_url": {"url": data_url(Path(path))}} for path in message.images)
        return {"role": message.role, "content": parts}

    def close(self) -> None:
        self._client.close()


def data_url(path: Path) -> str:
    """A photo as a ``data:`` URL, the way OpenAI-compatible servers take images inline."""
    mime = mimetypes.guess_type(path.name)[0] or "image/jpeg"
    return f"data:{mime};base64,{base64.b64encode(path.read_bytes()).decode('ascii')}"
