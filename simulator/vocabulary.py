"""What people read for the scenario format's fixed vocabulary (outcome classes), marked for translation."""
from __future__ import annotations

from .i18n import N_

# model.OUTCOME_CLASSES -> words; shown through simulator.i18n._ so the interface language applies.
OUTCOME_NAMES = {"resolved": N_("Resolved"), "referred": N_("Referred to others"), "arrest": N_("Arrest"),
                 "force-used": N_("Force used"), "injury": N_("Someone was injured")}
