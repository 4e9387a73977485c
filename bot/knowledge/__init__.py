"""Policy answers with citations: load -> chunk -> index (rank-bm25) -> search -> answer.

    from bot.knowledge import Knowledge
    knowledge = Knowledge.load(settings)
    answer = knowledge.answer("can I keep the wine?")
"""

from bot.knowledge.answer import Answer, ScoredPassage
from bot.knowledge.contacts import Contact
from bot.knowledge.engine import Knowledge

__all__ = ["Answer", "Contact", "Knowledge", "ScoredPassage"]
