"""Keys held over from one decision must not act on what comes next (the next moment, the ending)."""
from __future__ import annotations

import pygame


class KeyGuard:
    """Ignores key presses that were not meant for the screen that has just appeared.

    Two kinds: any key pressed within `quiet` seconds of it appearing (a trainee still pressing on
    from the last choice), and a key's auto-repeats when it was held down across the change (SDL
    repeats a held key every 40 ms after 400 ms, see App._open_display). A key held that long
    through the quiet time repeats within it, so it is caught too; it acts again only once it has
    been released and pressed anew. Time comes from the frames' `dt`, so tests are exact.
    """

    def __init__(self, quiet: float = 0.0, held=()):
        self.quiet = quiet
        self.age = 0.0
        self.held: set[int] = set(held)  # keys down when the screen appeared, or pressed in the quiet time
        self.down: set[int] = set()  # keys pressed and not yet released, to hand on to the next guard

    def tick(self, dt: float) -> None:
        """Advance the guard's clock by one frame."""
        self.age += dt

    def reset(self, quiet: float | None = None) -> None:
        """Start again (a new moment appeared): keys down now become held, the quiet time restarts."""
        self.held = set(self.down)
        self.age = 0.0
        if quiet is not None:
            self.quiet = quiet

    def forget(self) -> None:
        """Forget every key (the screen comes back on top: keys went up while another one had them)."""
        self.held.clear()
        self.down.clear()

    def blocks(self, event: pygame.event.Event) -> bool:
        """True when `event` must be ignored; every key event passes through here to keep count."""
        if event.type == pygame.KEYUP:
            self.down.discard(event.key)
            self.held.discard(event.key)
            return False
        if event.type != pygame.KEYDOWN:
            return False
        self.down.add(event.key)
        if self.age < self.quiet:
            self.held.add(event.key)
            return True
        return event.key in self.held
