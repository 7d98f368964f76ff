"""Words to index terms: lower case, split on word characters, Snowball-stemmed in the
text's language. Languages without a stemmer are indexed unstemmed."""

from __future__ import annotations

import re
from functools import cache

import snowballstemmer
import stopwords

_WORD = re.compile(r"\w+", re.UNICODE)
MAX_WORD = 64

# ISO 639-1 codes of the Snowball stemmers (`snowballstemmer.algorithms()`).
_ALGORITHMS = {
    "ar": "arabic", "ca": "catalan", "da": "danish", "de": "german", "el": "greek",
    "en": "english", "es": "spanish", "eu": "basque", "fi": "finnish", "fr": "french",
    "ga": "irish", "hi": "hindi", "hu": "hungarian", "hy": "armenian", "id": "indonesian",
    "it": "italian", "lt": "lithuanian", "ne": "nepali", "nl": "dutch", "no": "norwegian",
    "nb": "norwegian", "pt": "portuguese", "ro": "romanian", "ru": "russian", "sr": "serbian",
    "sv": "swedish", "ta": "tamil", "tr": "turkish", "yi": "yiddish",
}  # fmt: skip


def words(text: str) -> list[str]:
    return [w for w in _WORD.findall((text or "").lower()) if len(w) <= MAX_WORD]


@cache
def _stemmer(language: str) -> snowballstemmer.stemmer | None:
    name = _ALGORITHMS.get((language or "").split("-")[0].lower())
    return snowballstemmer.stemmer(name) if name else None


def stem_words(found: list[str], language: str) -> list[str]:
    stemmer = _stemmer(language)
    return stemmer.stemWords(found) if stemmer else list(found)


def terms(text: str, language: str) -> str:
    """The text as a line of stemmed terms, ready for the index."""
    return " ".join(stem_words(words(text), language))


@cache
def stop_words(language: str) -> frozenset[str]:
    """The language's function words ("how", "my", "the"): they count little in ranking and
    are not marked in snippets, however few articles hold them."""
    primary = (language or "").split("-")[0].lower()
    return frozenset(w.lower() for w in stopwords.safe_get_stopwords(primary))


def stop_terms(found: list[str], languages: list[str] | tuple[str, ...]) -> set[str]:
    """The stemmed forms, in each language, of the words of `found` that are stop words."""
    out: set[str] = set()
    for language in languages:
        stops = stop_words(language)
        marked = [w for w in found if w in stops]
        out.update(stem_words(marked, language) if marked else [])
    return out
