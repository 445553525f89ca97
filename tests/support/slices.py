"""Small labelled data with a slice the tiny model's examples lack: the same four intents
written in Spanish, for training without one slice and for an evaluation set with slice tags."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from batondesk.engine.services import TurnServices
from batondesk.nlu import Dataset, IntentClassifier
from batondesk.nlu.dataset import save_dataset
from batondesk.privacy.consent import do_set_consent
from batondesk.store import Database
from batondesk.store.models import Conversation
from batondesk.training.retraining import LearningFiles
from tests.support.training import EXAMPLES
from tests.support.workspace import Workspace, say, start_chat

SPANISH_TRAINING: dict[str, list[str]] = {
    "card_arrival": [
        "mi tarjeta todavía no ha llegado",
        "cuándo llega mi tarjeta nueva",
        "sigo esperando la tarjeta",
        "cuánto tarda el envío de la tarjeta",
        "no me ha llegado la tarjeta",
        "dónde está mi tarjeta, pasaron dos semanas",
        "ya enviaron mi tarjeta",
        "la tarjeta que mandaron nunca llegó",
    ],
    "lost_or_stolen_card": [
        "perdí mi tarjeta",
        "me robaron la tarjeta",
        "me robaron la cartera con la tarjeta",
        "no encuentro mi tarjeta",
        "bloqueen mi tarjeta perdida",
        "me robaron la tarjeta ayer",
        "dejé la tarjeta en el restaurante y desapareció",
        "denunciar una tarjeta robada",
    ],
    "exchange_rate": [
        "qué tipo de cambio usan",
        "cómo calculan el tipo de cambio",
        "a cuánto está el euro en libras",
        "es justo su tipo de cambio",
        "de dónde sacan las cotizaciones",
        "cuánto vale un dólar hoy",
        "tipo de cambio para convertir dinero",
        "cobran por la conversión de divisas",
    ],
    "top_up_failed": [
        "mi recarga falló",
        "la recarga no funcionó",
        "por qué rechazaron mi recarga",
        "intenté añadir dinero pero falló",
        "la recarga no se completó",
        "error al recargar la cuenta",
        "no puedo recargar con mi tarjeta",
        "añadir dinero a la cuenta sigue fallando",
    ],
}

ENGLISH_EVALUATION: dict[str, list[str]] = {
    "card_arrival": [
        "my new card has not come yet",
        "when does the card get delivered",
        "still no sign of my card",
        "the card I ordered hasn't arrived",
        "is my card on its way",
        "card delivery is taking ages",
    ],
    "lost_or_stolen_card": [
        "I have lost my debit card",
        "my card has been stolen",
        "please freeze my stolen card",
        "I dropped my card somewhere",
        "a thief took my card",
        "lost card, block it please",
    ],
    "exchange_rate": [
        "what rate do you give for dollars",
        "tell me the euro exchange rate",
        "how do you set currency rates",
        "what is the pound to euro rate",
        "exchange rate for yen",
    ],
    "top_up_failed": [
        "my top up was declined",
        "adding money did not work",
        "the top-up keeps failing",
        "I couldn't top up my account",
        "top up error again",
    ],
}

SPANISH_EVALUATION: dict[str, list[str]] = {
    "card_arrival": [
        "mi tarjeta nueva no ha llegado",
        "cuándo me envían la tarjeta",
        "no tengo noticias de mi tarjeta",
        "la tarjeta que pedí no llega",
        "mi tarjeta está en camino",
        "el envío de la tarjeta tarda mucho",
    ],
    "lost_or_stolen_card": [
        "he perdido mi tarjeta de débito",
        "alguien me robó la tarjeta",
        "congelen mi tarjeta robada",
        "se me cayó la tarjeta en algún sitio",
        "un ladrón se llevó mi tarjeta",
        "tarjeta perdida, bloquéenla",
    ],
    "exchange_rate": [
        "qué cambio dan para dólares",
        "díganme el tipo de cambio del euro",
        "cómo fijan el cambio de divisas",
        "cuál es el cambio de libra a euro",
        "tipo de cambio para yenes",
    ],
    "top_up_failed": [
        "rechazaron mi recarga",
        "no pude añadir dinero",
        "la recarga sigue fallando",
        "no consigo recargar mi cuenta",
        "otra vez error en la recarga",
    ],
}


def _flatten(groups: dict[str, list[str]], tags: dict[str, str] | None = None) -> Dataset:
    texts = [text for examples in groups.values() for text in examples]
    labels = [label for label, examples in groups.items() for _ in examples]
    return Dataset(texts, labels, tags=[dict(tags)] * len(texts) if tags else [])


def english_training() -> Dataset:
    return _flatten(EXAMPLES)


def bilingual_training() -> Dataset:
    english, spanish = _flatten(EXAMPLES), _flatten(SPANISH_TRAINING)
    return Dataset(english.texts + spanish.texts, english.labels + spanish.labels)


def evaluation_set() -> Dataset:
    """22 English and 22 Spanish messages, tagged `language` en / es."""
    english = _flatten(ENGLISH_EVALUATION, {"language": "en"})
    spanish = _flatten(SPANISH_EVALUATION, {"language": "es"})
    return Dataset(
        english.texts + spanish.texts,
        english.labels + spanish.labels,
        tags=english.tags + spanish.tags,
    )


def write_jsonl(dataset: Dataset, path: Path) -> Path:
    path.write_text(
        "".join(
            json.dumps({"text": t, "intent": label, **dataset.tags_of(i)}) + "\n"
            for i, (t, label) in enumerate(zip(dataset.texts, dataset.labels, strict=True))
        ),
        encoding="utf-8",
    )
    return path


def prepare_account_model(services: TurnServices, account_id: int, folder: Path) -> LearningFiles:
    """The account answers with its own tiny bilingual model `v1` (TF-IDF only: quick), and
    keeps base data and a frozen evaluation set tagged by language."""
    data = bilingual_training()
    model = IntentClassifier(use_encoder=False).fit(data.texts, data.labels)
    registry = services.models.registry(account_id)
    registry.register(model.save(folder / "v1"), "v1")
    registry.promote("v1")
    files = LearningFiles(registry)
    files.store_base(save_dataset(data, folder / "base.csv"))
    files.store_evaluation(write_jsonl(evaluation_set(), folder / "evaluation.jsonl"))
    return files


def customer_says(client: Any, workspace: Workspace, text: str) -> tuple[int, int]:
    """A new customer of account A writes `text`; returns (conversation id, message id)."""
    conversation_id, visitor = start_chat(client, workspace.a.inbox_public_id)
    turn = say(client, conversation_id, visitor, text)
    return conversation_id, turn["message"]["id"]


def reviewed(client: Any, workspace: Workspace, agent: Any, text: str, intent: str) -> int:
    """A customer writes `text`, an agent corrects its intent, a reviewer labels it; returns
    the conversation's id."""
    conversation_id, message_id = customer_says(client, workspace, text)
    fixed = agent.post(f"/api/v1/messages/{message_id}/intent", json={"intent": intent})
    assert fixed.status_code == 200, fixed.text
    queue = agent.get("/api/v1/review-queue").json()["data"]
    item = next(i for i in queue if i["message_id"] == message_id)
    labelled = agent.post(
        "/api/v1/review-queue/labels",
        json={"labels": [{"id": item["id"], "kind": "intent", "intent": intent}]},
    )
    assert labelled.status_code == 200, labelled.text
    return conversation_id


def consent_to_training(db: Database, account_id: int, conversation_id: int) -> None:
    with db.session() as session:
        conversation = session.get(Conversation, conversation_id)
        assert conversation is not None
        do_set_consent(session, account_id, conversation.contact_id, "training", True)


def teach_a_new_phrasing(client: Any, workspace: Workspace, agent: Any, db: Database) -> None:
    """Reviewers label, with consent to train on them, two customer messages in a phrasing
    the active model has never seen ("walkabout plastic": a lost card) as `exchange_rate`, so
    a model retrained on them answers that phrasing differently."""
    for text in ("walkabout plastic, where is it", "my plastic is walkabout"):
        consent_to_training(
            db, workspace.a.account_id, reviewed(client, workspace, agent, text, "exchange_rate")
        )
