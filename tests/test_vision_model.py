"""A vision-language model folder gets photos as images through its own processor (a tiny random LLaVA)."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.factory import build_assistant
from assistant.models import CancelToken, ChatMessage, GenerationOptions
from assistant.models.vision_backend import is_vision_folder, load_vision_model
from assistant.settings import load_settings
from tests.conftest import SHARED_DATA

CHELSEA = SHARED_DATA / "images" / "chelsea.png"
TEMPLATE = (
    "{% for message in messages %}<|im_start|>{{ message['role'] }}\n"
    "{% for part in message['content'] %}{% if part['type'] == 'image' %}<image>{% else %}{{ part['text'] }}"
    "{% endif %}{% endfor %}<|im_end|>\n{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)


@pytest.fixture(scope="module")
def tiny_vlm(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A randomly initialised, very small LLaVA saved as a Hugging Face folder (no download)."""
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import (
        CLIPVisionConfig,
        LlamaConfig,
        LlavaConfig,
        LlavaForConditionalGeneration,
        LlavaProcessor,
        PreTrainedTokenizerFast,
    )
    from transformers.models.clip.image_processing_pil_clip import CLIPImageProcessorPil

    words = "<unk> <pad> <|im_start|> <|im_end|> <image> user assistant system what is this a cat photo".split()
    backend = Tokenizer(models.WordLevel({word: index for index, word in enumerate(words)}, unk_token="<unk>"))
    backend.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=backend, unk_token="<unk>", pad_token="<pad>", eos_token="<|im_end|>"
    )
    tokenizer.add_special_tokens({"additional_special_tokens": ["<|im_start|>", "<image>"]})
    vision = CLIPVisionConfig(
        hidden_size=32, intermediate_size=64, num_hidden_layers=1, num_attention_heads=2, image_size=32, patch_size=8
    )
    text = LlamaConfig(
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=1,
        num_attention_heads=2,
        num_key_value_heads=1,
        vocab_size=len(tokenizer),
        max_position_embeddings=512,
    )
    config = LlavaConfig(
        vision_config=vision, text_config=text, image_token_index=tokenizer.convert_tokens_to_ids("<image>")
    )
    folder = tmp_path_factory.mktemp("tiny-vlm")
    LlavaForConditionalGeneration(config).save_pretrained(folder)
    image_processor = CLIPImageProcessorPil(size={"shortest_edge": 32}, crop_size={"height": 32, "width": 32})
    processor = LlavaProcessor(
        image_processor=image_processor,
        tokenizer=tokenizer,
        patch_size=8,
        vision_feature_select_strategy="default",
        chat_template=TEMPLATE,
        num_additional_image_tokens=1,
    )
    processor.save_pretrained(folder)
    return folder


pytestmark = pytest.mark.skipif(not CHELSEA.exists(), reason="needs ../shared/data/images")


def test_a_vision_folder_is_recognised_and_counts_the_image_tokens(tiny_vlm: Path) -> None:
    assert is_vision_folder(tiny_vlm) and not is_vision_folder(tiny_vlm.parent)
    model = load_vision_model(tiny_vlm, "tiny-vlm", 4096)
    assert model.accepts_images
    with_photo = model.count_tokens([ChatMessage("user", "what is this", images=(str(CHELSEA),))])
    without = model.count_tokens([ChatMessage("user", "what is this")])
    assert with_photo > without  # the image became tokens through the processor
    reply = "".join(
        model.stream(
            [ChatMessage("user", "what is this", images=(str(CHELSEA),))],
            GenerationOptions(max_new_tokens=4, temperature=0.0),
            CancelToken(),
        )
    )
    assert isinstance(reply, str)


def test_the_app_sends_the_photo_itself_to_a_vision_model(tiny_vlm: Path) -> None:
    settings = load_settings(model={"path": str(tiny_vlm), "max_new_tokens": 4, "temperature": 0.0})
    assistant = build_assistant(settings)
    try:
        prepared = assistant.attachments.prepare(CHELSEA, "sam")
        conversation = assistant.conversation("sam")
        list(conversation.send("what is this", attachments=[prepared.context()]))
        prompt = assistant.prompt_builder.render(conversation.last_reply.prompt_parts)
        assert "an image tool describes" not in prompt  # no text stand-in when the model sees the image
        assert conversation.last_reply.status == "complete"
    finally:
        assistant.close()
