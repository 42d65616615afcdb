"""Names people read for the library's topic, audience and mode slugs, marked for translation.

Scenario files tag themselves with slugs (`topics: [traffic-collision, limited-english]`); the
library shows these names instead. A slug not listed here still reads as words ("mental-health" ->
"Mental health"), so a new scenario never shows a bare slug.
"""
from __future__ import annotations

from ..i18n import N_, _

# The topics of the bundled scenarios (scenarios/*.yaml), the benchmark generator and the test fixtures.
TOPIC_NAMES = {
    "traffic-stop": N_("Traffic stop"),
    "traffic-collision": N_("Traffic collision"),
    "communication-access": N_("Communication access"),
    "deaf": N_("Deaf and hard of hearing people"),
    "limited-english": N_("Limited English"),
    "interpreter": N_("Working with interpreters"),
    "neutrality": N_("Staying neutral"),
    "bystander": N_("Bystanders"),
    "partner-coordination": N_("Working with a partner"),
    "proportionality": N_("Proportionate force"),
    "article-of-faith": N_("Articles of faith"),
    "autism": N_("Autism"),
    "community-event": N_("Community events"),
    "community-trust": N_("Community trust"),
    "crisis-team": N_("Crisis teams"),
    "duty-to-intervene": N_("Duty to intervene"),
    "entry-and-exigency": N_("Entering a home"),
    "family": N_("Families"),
    "filming": N_("People filming the police"),
    "knife": N_("Knives"),
    "language-access": N_("Language access"),
    "mental-health-crisis": N_("Mental health crisis"),
    "noise-complaint": N_("Noise complaints"),
    "older-adult": N_("Older adults"),
    "peer-audience": N_("Friends watching"),
    "person-with-a-weapon": N_("A person with a weapon"),
    "procedural-justice": N_("Procedural justice"),
    "psychosis": N_("Psychosis"),
    "public-dignity": N_("Dignity in public"),
    "religion": N_("Religion"),
    "self-harm": N_("Self-harm"),
    "shoplifting": N_("Shoplifting"),
    "supervisor-policy": N_("Supervisors and policy"),
    "time-distance-cover": N_("Time, distance and cover"),
    "trauma": N_("Trauma"),
    "welfare-check": N_("Welfare checks"),
    "youth": N_("Young people"),
    "benchmark": N_("Benchmark"),
    "synthetic": N_("Generated for testing"),
    "test": N_("Test"),
}
# Who a scenario is written for (the schema's `audience` values).
AUDIENCE_NAMES = {
    "recruit": N_("Recruits"),
    "in-service": N_("In-service officers"),
    "community": N_("Community members"),
}

# The training modes (settings.MODES), as the mode screen names them (the same words, so one translation).
MODE_NAMES = {"academy": N_("Academy"), "in-service": N_("In-service"), "workshop": N_("Workshop"),
              "operated": N_("Instructor-operated"), "research": N_("Research")}


def readable(slug: str) -> str:
    """A slug as words, for slugs no vocabulary knows: hyphens and underscores to spaces, first letter
    capitalised ("mental-health" -> "Mental health")."""
    words = " ".join(str(slug).replace("-", " ").replace("_", " ").split())
    return words[:1].upper() + words[1:]


def topic_name(slug: str) -> str:
    """The name people read for a topic slug, in the interface language."""
    return _(TOPIC_NAMES[slug]) if slug in TOPIC_NAMES else readable(slug)


def audience_name(slug: str) -> str:
    """The name people read for an audience slug, in the interface language."""
    return _(AUDIENCE_NAMES[slug]) if slug in AUDIENCE_NAMES else readable(slug)


def mode_name(slug: str) -> str:
    """The name people read for a training mode, in the interface language."""
    return _(MODE_NAMES[slug]) if slug in MODE_NAMES else readable(slug)
