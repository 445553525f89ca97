"""Partial fine-tuning of the encoder: only the top transformer layers learn.

Why partial: full fine-tuning of MiniLM costs ~7 min per epoch on 2 cores. Freezing the
lower layers lets us run them once over the training set and cache their output; each
epoch then only runs (forward and backward) the top layers, a fraction of the cost, and
keeps most of the gain. Needs PyTorch (training time only; serving uses the ONNX export).

The trained layers are returned as arrays named like the model's safetensors weights, to be
passed to `encoder.export_encoder(..., overrides=...)`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from batondesk.nlu import encoder as enc

HEAD_COUNT = 12
_WEIGHT_NAMES = {
    "query": "attention.self.query",
    "key": "attention.self.key",
    "value": "attention.self.value",
    "attn_out": "attention.output.dense",
    "ln1": "attention.output.LayerNorm",
    "ff1": "intermediate.dense",
    "ff2": "output.dense",
    "ln2": "output.LayerNorm",
}


def _block_class() -> Any:
    import torch
    from torch import nn

    class Block(nn.Module):
        """One BERT layer written out, so its mask handling does not depend on transformers'
        internal attention API (which changes between releases)."""

        def __init__(self) -> None:
            super().__init__()
            size = enc.HIDDEN_SIZE
            self.query, self.key, self.value = (nn.Linear(size, size) for _ in range(3))
            self.attn_out = nn.Linear(size, size)
            self.ln1 = nn.LayerNorm(size, eps=1e-12)
            self.ff1 = nn.Linear(size, 4 * size)
            self.ff2 = nn.Linear(4 * size, size)
            self.ln2 = nn.LayerNorm(size, eps=1e-12)
            self.dropout = nn.Dropout(0.1)

        def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
            n, t, size = x.shape
            head = size // HEAD_COUNT

            def split(y: torch.Tensor) -> torch.Tensor:
                return y.view(n, t, HEAD_COUNT, head).transpose(1, 2)

            q, k, v = split(self.query(x)), split(self.key(x)), split(self.value(x))
            scores = q @ k.transpose(-1, -2) / math.sqrt(head)
            scores = scores + (1.0 - mask)[:, None, None, :] * -1e4
            attention = self.dropout(torch.softmax(scores, dim=-1))
            context = (attention @ v).transpose(1, 2).reshape(n, t, size)
            x = self.ln1(x + self.dropout(self.attn_out(context)))
            hidden = torch.nn.functional.gelu(self.ff1(x))
            return self.ln2(x + self.dropout(self.ff2(hidden)))

    return Block


def finetune_top_layers(
    texts: Sequence[str],
    labels: Sequence[str],
    top_layers: int = 2,
    epochs: int = 3,
    batch_size: int = 32,
    learning_rate: float = 1e-4,
    head_learning_rate: float = 3e-3,
    seed: int = 0,
    progress: Callable[[float], None] | None = None,
) -> dict[str, np.ndarray]:
    """Train the top `top_layers` layers with a softmax head on mean-pooled output.

    Returns the new weights of those layers keyed by their safetensors names.
    """
    import torch
    from safetensors.numpy import load_file
    from tokenizers import Tokenizer
    from transformers import AutoModel
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    report = progress or (lambda fraction: None)
    first = enc.LAYER_COUNT - top_layers
    base = enc.base_model_path()
    classes = sorted(set(labels))
    target = torch.tensor([classes.index(label) for label in labels])

    tokenizer = Tokenizer.from_file(str(base / "tokenizer.json"))
    tokenizer.enable_truncation(max_length=enc.MAX_TOKENS)
    tokenizer.no_padding()
    token_ids = [e.ids for e in tokenizer.encode_batch(list(texts))]

    # The frozen lower layers run once; their output per text (unpadded) is the cache.
    model = AutoModel.from_pretrained(str(base)).eval()
    cache: list[torch.Tensor] = [torch.empty(0)] * len(texts)
    order = np.argsort([len(ids) for ids in token_ids], kind="stable")
    with torch.no_grad():
        for start in range(0, len(order), 128):
            rows = order[start : start + 128]
            ids, mask = _pad([token_ids[r] for r in rows])
            states = model(input_ids=ids, attention_mask=mask, output_hidden_states=True)
            hidden = states.hidden_states[first]
            for j, r in enumerate(rows):
                cache[r] = hidden[j, : len(token_ids[r])].clone()
    report(0.15)

    weights = load_file(str(base / "model.safetensors"))
    block_class = _block_class()
    blocks = torch.nn.ModuleList(block_class() for _ in range(top_layers))
    for offset, block in enumerate(blocks):
        prefix = f"encoder.layer.{first + offset}."
        state = {}
        for local, remote in _WEIGHT_NAMES.items():
            state[f"{local}.weight"] = torch.from_numpy(weights[f"{prefix}{remote}.weight"].copy())
            state[f"{local}.bias"] = torch.from_numpy(weights[f"{prefix}{remote}.bias"].copy())
        block.load_state_dict(state)
    head = torch.nn.Linear(enc.HIDDEN_SIZE, len(classes))
    optimizer = torch.optim.AdamW(
        [
            {"params": blocks.parameters(), "lr": learning_rate},
            {"params": head.parameters(), "lr": head_learning_rate},
        ],
        weight_decay=0.01,
    )
    steps_per_epoch = math.ceil(len(texts) / batch_size)
    total = steps_per_epoch * epochs
    warmup = max(1, total // 10)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer,
        lambda step: min((step + 1) / warmup, max(0.0, (total - step) / max(1, total - warmup))),
    )
    loss_fn = torch.nn.CrossEntropyLoss(label_smoothing=0.1)
    blocks.train()
    step = 0
    for _ in range(epochs):
        for rows in _length_bucketed_batches(token_ids, batch_size, rng):
            x, mask = _pad_hidden([cache[r] for r in rows])
            for block in blocks:
                x = block(x, mask)
            pooled = (x * mask[:, :, None]).sum(1) / mask.sum(1, keepdim=True)
            loss = loss_fn(head(pooled), target[rows])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            schedule.step()
            step += 1
            report(0.15 + 0.85 * step / total)

    overrides: dict[str, np.ndarray] = {}
    for offset, block in enumerate(blocks):
        prefix = f"encoder.layer.{first + offset}."
        for name, tensor in block.state_dict().items():
            local, kind = name.split(".")
            overrides[f"{prefix}{_WEIGHT_NAMES[local]}.{kind}"] = tensor.detach().numpy().copy()
    return overrides


def _pad(sequences: list[list[int]]) -> tuple[Any, Any]:
    import torch

    length = max(len(s) for s in sequences)
    ids = torch.zeros((len(sequences), length), dtype=torch.long)
    mask = torch.zeros((len(sequences), length), dtype=torch.long)
    for row, s in enumerate(sequences):
        ids[row, : len(s)] = torch.tensor(s)
        mask[row, : len(s)] = 1
    return ids, mask


def _pad_hidden(states: list[Any]) -> tuple[Any, Any]:
    import torch

    length = max(s.shape[0] for s in states)
    x = torch.zeros((len(states), length, enc.HIDDEN_SIZE))
    mask = torch.zeros((len(states), length))
    for row, s in enumerate(states):
        x[row, : s.shape[0]] = s
        mask[row, : s.shape[0]] = 1.0
    return x, mask


def _length_bucketed_batches(
    token_ids: list[list[int]], batch_size: int, rng: np.random.Generator
) -> list[np.ndarray]:
    """Shuffled batches of texts of similar length: little padding, still random order."""
    noisy_length = np.array([len(ids) for ids in token_ids]) + rng.uniform(0, 3, len(token_ids))
    order = np.argsort(noisy_length)
    batches = [order[i : i + batch_size] for i in range(0, len(order), batch_size)]
    rng.shuffle(batches)  # type: ignore[arg-type]
    return batches
