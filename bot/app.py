"""The composition root: settings, store, workflow catalogue, knowledge, services, assistant.

Every surface (the terminal, Slack, the web console and intake, the CLI) builds its core
here, once, and receives what it needs from the App; nothing else assembles plug-ins or
reaches for globals. The plug-ins are plain values (bot.plugins.Plugin): declarations
(bot.casework.chat) and reporting (bot.reporting.chat).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from bot.assistant import Answerer, Assistant, policy_sections
from bot.campaigns.chat import campaigns_plugin
from bot.casework.chat import declarations_plugin
from bot.casework.rules import CaseworkRules
from bot.casework.service import Casework
from bot.config import Settings
from bot.messages import Catalogue, install
from bot.plugins import Plugin
from bot.reporting.chat import reporting_plugin
from bot.store import Store
from bot.store.models import utcnow
from bot.workflows.catalogue import WorkflowCatalogue
from bot.workflows.definitions import WorkflowDefinition

Clock = Callable[[], dt.datetime]


@dataclass(frozen=True)
class App:
    """Probity's core, built once per process."""

    settings: Settings
    store: Store
    #: The workflow definitions by name, validated against the policies and the filers,
    #: with typed accessors (gift limit, review cycle, report categories).
    catalogue: WorkflowCatalogue
    knowledge: Answerer
    casework: Casework
    assistant: Assistant


def standard_plugins(casework: Casework) -> tuple[Plugin, ...]:
    """The plug-ins every Probity has, in the order their commands are tried."""
    return (declarations_plugin(casework), reporting_plugin(), campaigns_plugin(casework))


def load_knowledge(settings: Settings) -> Answerer:
    """The policy index (bot.knowledge.Knowledge), loaded only when a caller has none."""
    from bot.knowledge import Knowledge  # heavy (the index): only for callers that need it

    return Knowledge.load(settings)


def build_assistant(settings: Settings, store: Store, knowledge: Answerer | None = None,
                    definitions: Mapping[str, WorkflowDefinition] | None = None, *,
                    clock: Clock = utcnow, casework: Casework | None = None,
                    plugins: Sequence[Plugin] | None = None) -> Assistant:
    """The assistant with the configured workflows and the standard plug-ins.

    `knowledge` defaults to the policy index, `definitions` to settings.workflows_dir
    validated against the policies' sections, `plugins` to standard_plugins(casework).
    Raises DefinitionError (naming the file) if a workflow cannot be used.
    """
    if knowledge is None:
        knowledge = load_knowledge(settings)
    if definitions is None:
        definitions = WorkflowCatalogue.load(settings.workflows_dir,
                                             policy_sections(knowledge, settings))
    if plugins is None:
        rules = CaseworkRules.from_settings(settings, WorkflowCatalogue(definitions))
        plugins = standard_plugins(casework or Casework(store, settings, rules=rules))
    return Assistant(settings, store, knowledge, definitions, clock=clock, plugins=plugins)


def build_app(settings: Settings, *, store: Store | None = None,
              knowledge: Answerer | None = None, clock: Clock = utcnow) -> App:
    """Everything a surface needs: opens the store (upgrading its schema) unless given one,
    installs the configured message catalogue, loads knowledge and workflows once."""
    install(Catalogue.load(settings.messages_dir, settings.locale))
    store = store or Store.open(settings)
    if knowledge is None:
        knowledge = load_knowledge(settings)
    catalogue = WorkflowCatalogue.load(settings.workflows_dir,
                                       policy_sections(knowledge, settings))
    casework = Casework(store, settings, rules=CaseworkRules.from_settings(settings, catalogue))
    assistant = build_assistant(settings, store, knowledge, catalogue, clock=clock,
                                casework=casework)
    return App(settings=settings, store=store, catalogue=catalogue, knowledge=knowledge,
               casework=casework, assistant=assistant)
