"""Fine-tuning the sentence encoder end to end on a team's labelled examples.

Why: a frozen encoder was trained for general sentence similarity, so "my card has not
arrived" and "my card does not work" sit close together; fine-tuning moves them apart for
this team's intents. BANKING77, 10% of train held out: the TF-IDF + encoder blend scores
93.2-93.5% with a fine-tuned encoder (three runs) against 92.7% with the frozen one.

How it fits the 10-minute training budget on 2 cores: customer messages are short (16
word pieces on average in BANKING77), so each batch holds texts of similar length padded
only to its own longest text; an epoch over 9,000 messages takes ~2 minutes instead of
~7 with a fixed length of 64. The classification head starts from the class centroids of
the frozen embeddings, so the first steps already point the right way. Two epochs: a
third gave no gain on the held-out split.

Fine-tuning runs in a child process (`finetune_and_export`): PyTorch keeps ~1.6 GB for
itself once it has trained, and the regressions trained afterwards would add ~1 GB to it,
over a 2 GB budget. Needs PyTorch at training time only; serving runs the ONNX export.
"""

from __future__ import annotations

import math
import multiprocessing
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from batondesk.nlu import encoder as enc

# Cosine classifier: logits = SCALE x cos(embedding, class vector), so training shapes the
# normalised embedding, the space the logistic regression and the out-of-scope
# nearest-neighbour score use afterwards.
SCALE = 20.0


def finetune_and_export(
    destination: Path,
    texts: Sequence[str],
    labels: Sequence[str],
    epochs: float,
    seed: int,
    threads: int,
    progress: Callable[[float], None] | None = None,
) -> None:
    """Fine-tune in a child process and write the exported encoder into `destination`."""
    report = progress or (lambda fraction: None)
    # "spawn": a fresh interpreter, never a fork of a process that may hold threads.
    context = multiprocessing.get_context("spawn")
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(
        target=_finetune_child,
        args=(destination, list(texts), list(labels), epochs, seed, threads, sender),
        daemon=True,
    )
    child.start()
    sender.close()
    error = None
    try:
        while True:
            try:
                kind, value = receiver.recv()
            except EOFError:
                break
            if kind == "progress":
                report(value)
            elif kind == "error":
                error = value
    finally:
        child.join()
    if error or child.exitcode != 0:
        raise RuntimeError(f"encoder fine-tuning failed: {error or f'exit {child.exitcode}'}")


def _finetune_child(
    destination: Path,
    texts: list[str],
    labels: list[str],
    epochs: float,
    seed: int,
    threads: int,
    sender: Any,
) -> None:
    try:
        overrides = finetune_encoder(
            texts,
            labels,
            epochs=epochs,
            seed=seed,
            threads=threads,
            progress=lambda fraction: sender.send(("progress", fraction)),
        )
        enc.export_encoder(destination, overrides)
    except BaseException as exc:  # reported to the parent, which raises it there
        sender.send(("error", f"{type(exc).__name__}: {exc}"))
    finally:
        sender.close()


def finetune_encoder(
    texts: Sequence[str],
    labels: Sequence[str],
    epochs: float = 2.0,
    batch_size: int = 32,
    learning_rate: float = 1e-4,
    head_learning_rate: float = 3e-3,
    seed: int = 0,
    threads: int = 1,
    progress: Callable[[float], None] | None = None,
) -> dict[str, np.ndarray]:
    """Train every encoder weight through a softmax head on the mean-pooled output.

    Returns the new weights keyed as in model.safetensors, for
    `encoder.export_encoder(..., overrides=...)`.
    """
    import torch
    from transformers import AutoModel
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()
    hf_logging.set_verbosity_error()
    previous_threads = torch.get_num_threads()
    torch.set_num_threads(threads)
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    report = progress or (lambda fraction: None)
    base = enc.base_model_path()
    classes = sorted(set(labels))
    target = torch.tensor([classes.index(label) for label in labels])

    token_ids = [e.ids for e in enc.load_tokenizer(base).encode_batch(list(texts))]
    # Local model package, no Hub.
    model = AutoModel.from_pretrained(str(base))  # nosec B615

    def embed(rows: np.ndarray) -> Any:
        ids, mask = (torch.from_numpy(a) for a in enc.pad_batch([token_ids[r] for r in rows]))
        hidden = model(input_ids=ids, attention_mask=mask).last_hidden_state
        weights = mask.unsqueeze(-1).float()
        pooled = (hidden * weights).sum(1) / weights.sum(1)
        return torch.nn.functional.normalize(pooled, dim=-1)

    try:
        model.eval()
        frozen = torch.zeros((len(texts), enc.HIDDEN_SIZE))
        with torch.no_grad():
            for rows in _length_bucketed_batches(token_ids, 128, rng=None):
                frozen[rows] = embed(rows)
        head = torch.nn.Linear(enc.HIDDEN_SIZE, len(classes))
        with torch.no_grad():
            centroids = torch.stack([frozen[target == c].mean(0) for c in range(len(classes))])
            head.weight.copy_(torch.nn.functional.normalize(centroids, dim=-1))
            head.bias.zero_()
        report(0.05)

        optimizer = torch.optim.AdamW(
            [
                {"params": model.parameters(), "lr": learning_rate},
                {"params": head.parameters(), "lr": head_learning_rate},
            ],
            weight_decay=0.01,
        )
        total = max(1, round(math.ceil(len(texts) / batch_size) * epochs))
        warmup = max(1, total // 10)
        schedule = torch.optim.lr_scheduler.LambdaLR(
            optimizer,
            lambda s: min((s + 1) / warmup, max(0.0, (total - s) / max(1, total - warmup))),
        )
        loss_fn = torch.nn.CrossEntropyLoss(label_smoothing=0.1)
        model.train()
        step = 0
        while step < total:
            for rows in _length_bucketed_batches(token_ids, batch_size, rng):
                loss = loss_fn(SCALE * head(embed(rows)), target[rows])
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
                schedule.step()
                step += 1
                report(0.05 + 0.95 * step / total)
                if step == total:
                    break
        return {name: t.detach().numpy().copy() for name, t in model.state_dict().items()}
    finally:
        torch.set_num_threads(previous_threads)


def _length_bucketed_batches(
    token_ids: list[list[int]], batch_size: int, rng: np.random.Generator | None
) -> list[np.ndarray]:
    """Batches of texts of similar length, so padding (wasted work) stays small. With
    `rng` the lengths are jittered and the batches shuffled: each epoch sees new batches."""
    lengths = np.array([len(ids) for ids in token_ids], dtype=float)
    if rng is not None:
        lengths += rng.uniform(0, 3, len(token_ids))
    order = np.argsort(lengths, kind="stable")
    batches = [order[i : i + batch_size] for i in range(0, len(order), batch_size)]
    if rng is not None:
        rng.shuffle(batches)  # type: ignore[arg-type]
    return batches
