"""What people read for the scenario format's fixed vocabulary (outcome classes), marked for translation."""
from __future__ import annotations

from .i18n import N_, _

# model.OUTCOME_CLASSES -> words; shown through simulator.i18n._ so the interface language applies.
OUTCOME_NAMES = {"resolved": N_("Resolved"), "referred": N_("Referred to others"), "arrest": N_("Arrest"),
                 "force-used": N_("Force used"), "injury": N_("Someone was injured")}

# The default behaviour model's words (simulator/engine/behaviour.yaml): distress levels, rapport
# stages and force levels. They are the interface's words for the meter, the chart and the debrief,
# so they are translated; a scenario's own names (not in this list) are shown as written.
BEHAVIOUR_WORDS = frozenset({
    N_("Calm"), N_("Uneasy"), N_("Anxious"), N_("Upset"), N_("Agitated"), N_("Overwhelmed"), N_("In crisis"),
    N_("No rapport"), N_("Feels listened to"), N_("Feels understood"), N_("Rapport"), N_("Open to influence"),
    N_("Behavioral change"),
    N_("Officer presence"), N_("Verbal direction"), N_("Soft empty-hand control"), N_("Hard empty-hand control"),
    N_("Less-lethal weapon"), N_("Lethal force"),
})


def word(name: str) -> str:
    """A behaviour-model name (a level, a rapport stage, a force level) in the interface language."""
    return _(name) if name in BEHAVIOUR_WORDS else name


# The engine's own whys (simulator/engine/step.py), which the event log records in English; shown
# through `simulator.i18n.data_text`, so they are in the catalogue. tests/test_i18n.py keeps them equal.
ENGINE_WHYS = (
    N_("Still recovering from an earlier peak, the person re-escalates more easily (CPI tension-reduction phase)."),
    N_("After a peak the person does not return straight to baseline; rises are larger for a while."),
)
