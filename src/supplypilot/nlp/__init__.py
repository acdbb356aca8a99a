"""The language copilot: Chinese and English instructions → typed tool calls → grounded answers.

``Copilot(ctx).ask(text)`` is the one entry; :func:`parse` reads an instruction without
running anything. Importing this package registers the copilot's own tools
(``daily_report``, ``dispatch_instructions``) in the tool registry.
"""

from supplypilot.nlp import tools as _tools  # noqa: F401  (registers the copilot's tools)
from supplypilot.nlp.backends import Backend as Backend
from supplypilot.nlp.backends import OfflineBackend as OfflineBackend
from supplypilot.nlp.backends import OpenAIBackend as OpenAIBackend
from supplypilot.nlp.backends import backend_from_env as backend_from_env
from supplypilot.nlp.catalog import Catalog as Catalog
from supplypilot.nlp.clarify import Clarification as Clarification
from supplypilot.nlp.copilot import Answer as Answer
from supplypilot.nlp.copilot import Copilot as Copilot
from supplypilot.nlp.demo import run_demo_questions as run_demo_questions
from supplypilot.nlp.grounding import Calculation as Calculation
from supplypilot.nlp.grounding import GroundingReport as GroundingReport
from supplypilot.nlp.grounding import check as check_grounding
from supplypilot.nlp.intents import IntentClassifier as IntentClassifier
from supplypilot.nlp.parser import ParseResult as ParseResult
from supplypilot.nlp.parser import ToolCall as ToolCall
from supplypilot.nlp.parser import parse as parse
from supplypilot.nlp.session import Session as Session
from supplypilot.nlp.text import detect_language as detect_language

__all__ = [
    "Answer", "Backend", "Calculation", "Catalog", "Clarification", "Copilot", "GroundingReport",
    "IntentClassifier", "OfflineBackend", "OpenAIBackend", "ParseResult", "Session", "ToolCall",
    "backend_from_env", "check_grounding", "detect_language", "parse", "run_demo_questions",
]
