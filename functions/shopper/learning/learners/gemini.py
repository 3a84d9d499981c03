"""The Gemini learner: the aggregates go to Gemini, a structured answer comes back.

The request asks for JSON in the shape of `GeminiPreferences` (response_mime_type +
response_schema). The answer is checked before anything is stored: no candidate or a
finishReason other than STOP (SAFETY, RECITATION, MAX_TOKENS ...) is a refusal, text
that is not JSON of that shape is malformed; both raise LearnerRejected, so the stored
preferences stay as they were. Brands are grounded: Gemini may only name brands the
user's own signals show. Overload, 5xx and network errors raise LearnerUnavailable
(a Pub/Sub redelivery retries them); the client itself does not retry.
"""

from __future__ import annotations

import json
import time
from typing import Any

import httpx
from google import genai
from google.genai import errors, types
from pydantic import BaseModel, ValidationError

from shopper.learning.aggregate import Aggregates
from shopper.learning.learners.base import Learner, LearnerRejected, LearnerUnavailable
from shopper.models import LearnedPreferences
from shopper.settings import Settings
from shopper_core.log import get_logger, log_event

logger = get_logger(__name__)

MAX_ITEMS = 10
_TOP = 12  # values per feature sent in the prompt

SYSTEM_INSTRUCTION = (
    "You infer a shopper's preferences from a summary of their last week of activity in an online "
    "store. Scores weigh purchases over saves over clicks over views, recent over older; negative "
    "scores mean the user disliked it. Answer only from this evidence: leave a list empty when the "
    "evidence is weak, never name a brand listed as disliked, never invent brands. style: short "
    "style words (e.g. wireless, minimalist). size: sizes as written (XL, 42, 13 inch, 256GB). "
    "productCategories: product categories. colors: plain colour names. budget: the price range in "
    "US dollars the user is comfortable with, or null when unknown."
)


class GeminiBudget(BaseModel):
    min: float | None = None
    max: float | None = None


class GeminiPreferences(BaseModel):
    """The response schema Gemini is asked to fill."""

    style: list[str]
    budget: GeminiBudget | None = None
    size: list[str]
    productCategories: list[str]
    brands: list[str]
    colors: list[str]


def build_prompt(aggregates: Aggregates) -> str:
    """The evidence as compact JSON: top values per feature with scores, prices, dislikes."""

    def top(tally: Any) -> list[list[Any]]:
        return [[label, round(score, 2)] for label, score in tally.ranked()[:_TOP]]

    evidence = {
        "signalCounts": aggregates.counts,
        "categories": top(aggregates.categories),
        "brands": top(aggregates.brands),
        "dislikedBrands": aggregates.disliked_brands(),
        "colors": top(aggregates.colors),
        "styleWords": top(aggregates.styles),
        "sizes": top(aggregates.sizes),
        "searchKeywords": top(aggregates.keywords),
        "savedOrPurchasedPrices": [round(p, 2) for p, _ in aggregates.prices][:50],
        "spokenPriceCaps": [round(c, 2) for c, _ in aggregates.price_caps][:20],
    }
    return "Shopper activity summary (JSON):\n" + json.dumps(evidence, separators=(",", ":"))


def _clean(values: list[str]) -> list[str]:
    out: dict[str, str] = {}
    for value in values:
        value = " ".join(str(value).split())
        if value:
            out.setdefault(value.casefold(), value)
    return list(out.values())[:MAX_ITEMS]


def parse_answer(response: types.GenerateContentResponse, aggregates: Aggregates) -> LearnedPreferences:
    """Validate Gemini's answer into LearnedPreferences, or raise LearnerRejected saying why."""
    if not response.candidates:
        feedback = response.prompt_feedback
        reason = feedback.block_reason if feedback and feedback.block_reason else "no candidates"
        raise LearnerRejected(f"refused: prompt blocked ({getattr(reason, 'value', reason)})")
    candidate = response.candidates[0]
    finish = candidate.finish_reason
    if finish is not None and finish != types.FinishReason.STOP:
        raise LearnerRejected(f"refused: finishReason {getattr(finish, 'value', finish)}")
    parts = (candidate.content.parts or []) if candidate.content else []
    text = "".join(p.text for p in parts if p.text and not p.thought)
    if not text.strip():
        raise LearnerRejected("malformed: empty answer")
    try:
        answer = GeminiPreferences.model_validate(json.loads(text))
    except json.JSONDecodeError as err:
        raise LearnerRejected(f"malformed: not JSON ({err.msg} at {err.pos})") from err
    except ValidationError as err:
        raise LearnerRejected(f"malformed: wrong shape ({err.error_count()} errors: {_first(err)})") from err

    # Brands only from the user's own evidence, spelled as the user's items spell them.
    known = {label.casefold(): label for label, score in aggregates.brands.ranked() if score > 0}
    brands = [known[b.casefold()] for b in _clean(answer.brands) if b.casefold() in known]
    budget = answer.budget
    if budget is not None and budget.min is None and budget.max is None:
        budget = None
    try:
        return LearnedPreferences(
            style=_clean(answer.style),
            budget=budget.model_dump() if budget else None,
            size=_clean(answer.size),
            productCategories=_clean(answer.productCategories),
            brands=brands,
            colors=_clean([c.casefold() for c in answer.colors]),
        )
    except ValidationError as err:
        raise LearnerRejected(f"malformed: invalid values ({_first(err)})") from err


def _first(err: ValidationError) -> str:
    first = err.errors()[0]
    return f"{'.'.join(str(x) for x in first['loc'])}: {first['msg']}"


class GeminiLearner(Learner):
    name = "gemini"

    def __init__(self, client: genai.Client, model: str) -> None:
        self.client = client
        self.model = model

    @classmethod
    def from_settings(cls, settings: Settings) -> GeminiLearner:
        if settings.gemini_api_key is None:
            raise ValueError("LEARNER=gemini needs GEMINI_API_KEY")
        http_options = types.HttpOptions(
            base_url=settings.gemini_base_url or None,
            timeout=int(settings.gemini_timeout_s * 1000),
        )
        client = genai.Client(api_key=settings.gemini_api_key.get_secret_value(), http_options=http_options)
        return cls(client, settings.gemini_model)

    def learn(self, aggregates: Aggregates) -> LearnedPreferences:
        config = types.GenerateContentConfig(
            system_instruction=SYSTEM_INSTRUCTION,
            response_mime_type="application/json",
            response_schema=GeminiPreferences,
            temperature=0.2,
        )
        started = time.perf_counter()
        try:
            response = self.client.models.generate_content(
                model=self.model, contents=build_prompt(aggregates), config=config
            )
        except errors.APIError as err:
            if err.code == 429 or (err.code or 0) >= 500:
                raise LearnerUnavailable(f"gemini {err.code}: {err.message}") from err
            raise LearnerRejected(f"gemini {err.code}: {err.message}") from err
        except httpx.HTTPError as err:
            raise LearnerUnavailable(f"gemini unreachable: {type(err).__name__}: {err}") from err
        usage = response.usage_metadata
        log_event(
            logger,
            "gemini answered",
            model=self.model,
            latency_ms=round((time.perf_counter() - started) * 1000, 1),
            total_tokens=usage.total_token_count if usage else None,
        )
        return parse_answer(response, aggregates)
