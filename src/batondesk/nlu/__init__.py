"""Natural-language understanding: text in, predictions out.

Intents with out-of-scope detection, sentiment and frustration, language, entities and
personal data, plus the model registry. Nothing here knows about HTTP or the database.
"""

from batondesk.nlu.classifier import PROFILES, IntentClassifier
from batondesk.nlu.dataset import OUT_OF_SCOPE_LABEL, Dataset, DatasetError, load_dataset
from batondesk.nlu.entities import Entity, extract_entities
from batondesk.nlu.language import LanguageGuess, detect_language
from batondesk.nlu.personal_data import PersonalDataSpan, find_personal_data
from batondesk.nlu.prediction import IntentPrediction, NotFittedError
from batondesk.nlu.registry import ModelRegistry, ModelVersion, RegistryError
from batondesk.nlu.sentiment import SentimentScore, analyze_sentiment

__all__ = [
    "OUT_OF_SCOPE_LABEL",
    "PROFILES",
    "Dataset",
    "DatasetError",
    "Entity",
    "IntentClassifier",
    "IntentPrediction",
    "LanguageGuess",
    "ModelRegistry",
    "ModelVersion",
    "NotFittedError",
    "PersonalDataSpan",
    "RegistryError",
    "SentimentScore",
    "analyze_sentiment",
    "detect_language",
    "extract_entities",
    "find_personal_data",
    "load_dataset",
]
