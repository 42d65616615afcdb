"""Optional, subtle sound cues synthesised in code with NumPy; muted with one setting."""
from __future__ import annotations

import numpy as np
import pygame

from ..i18n import N_

CUES = ("select", "confirm", "rise", "fall", "timer", "ending", "page")
# What each cue means, shown as a caption when captions are on (translated where shown). "select"
# only ticks when the focus moves, which the focus ring already shows, so it has no caption.
CAPTIONS = {
    "confirm": N_("[Sound: choice made]"),
    "rise": N_("[Sound: tension rises]"),
    "fall": N_("[Sound: tension eases]"),
    "timer": N_("[Sound: timer ticking]"),
    "ending": N_("[Sound: scenario over]"),
    "page": N_("[Sound: page turns]"),
}

# Training software, not a game: every cue stays well below full scale so it never startles.
_PEAK = 0.35

# Mixer sample format (pygame's signed bit size) -> NumPy dtype and full-scale value.
# pygame reports SDL's 32-bit float output as -32, so both 32-bit sizes mean float32.
_FORMATS = {-8: (np.int8, 127), 8: (np.uint8, 127), -16: (np.int16, 32767),
            16: (np.uint16, 32767), -32: (np.float32, 1.0), 32: (np.float32, 1.0)}


def _envelope(n: int, rate: int, attack: float, release: float) -> np.ndarray:
    """Raised-cosine attack/release that is exactly 0 at both ends, so no cue ever clicks."""
    env = np.ones(n)
    a = max(2, min(n // 2, int(attack * rate)))
    r = max(2, min(n // 2, int(release * rate)))
    env[:a] = np.sin(np.linspace(0.0, np.pi / 2, a)) ** 2
    env[-r:] = np.cos(np.linspace(0.0, np.pi / 2, r)) ** 2
    return env


def _tone(freqs, dur: float, rate: int, amp: float, attack: float = 0.01, release: float = 0.05,
          glide: float = 1.0, triangle: bool = False) -> np.ndarray:
    """Sum of equal-weight partials gliding by factor `glide`, scaled to peak `amp`, enveloped."""
    n = int(dur * rate)
    ramp = np.linspace(1.0, glide, n)
    out = np.zeros(n)
    for f in freqs:
        # Integrate the instantaneous frequency so a glide changes pitch without phase jumps.
        phase = 2 * np.pi * np.cumsum(f * ramp) / rate
        wave = np.sin(phase)
        out += (2 / np.pi) * np.arcsin(wave) if triangle else wave
    out *= amp / len(freqs)
    return out * _envelope(n, rate, attack, release)


def _swish(dur: float, rate: int, amp: float) -> np.ndarray:
    """Band-limited noise with a swell-and-fade envelope: a soft page-turn 'swish'."""
    n = int(dur * rate)
    noise = np.random.default_rng(0).standard_normal(n + 400)  # fixed seed: deterministic
    # Difference of two moving averages is a cheap band-pass; it removes hiss and rumble.
    narrow = np.convolve(noise, np.hanning(9) / np.hanning(9).sum(), mode="same")
    wide = np.convolve(noise, np.hanning(81) / np.hanning(81).sum(), mode="same")
    band = (narrow - wide)[200:200 + n]
    band *= amp / np.max(np.abs(band))
    swell = np.sin(np.linspace(0.0, np.pi, n)) ** 2  # hann shape: zero at both ends
    return band * swell


def synthesize(name: str, rate: int = 44100) -> np.ndarray:
    """Mono float32 samples in [-1, 1] for cue `name` (pure NumPy, deterministic).

    Raises KeyError for a name not in CUES.
    """
    if name == "select":  # focus moved: a barely-there tick
        out = _tone([1320.0], 0.045, rate, 0.10, attack=0.004, release=0.035)
    elif name == "confirm":  # choice taken: a short fifth, bright but quiet
        out = _tone([660.0, 990.0], 0.16, rate, 0.22, attack=0.008, release=0.12)
    elif name == "rise":  # escalation went up: low, slightly sinking, never alarming
        out = _tone([196.0], 0.38, rate, 0.28, attack=0.03, release=0.25, glide=0.9,
                    triangle=True)
    elif name == "fall":  # escalation went down: gentle upward step (G4 -> C5)
        out = np.concatenate([_tone([392.0], 0.15, rate, 0.2, release=0.09),
                              _tone([523.25], 0.22, rate, 0.2, release=0.16)])
    elif name == "timer":  # last seconds of a countdown: quieter than select
        out = _tone([880.0], 0.05, rate, 0.08, attack=0.004, release=0.04)
    elif name == "ending":  # scenario over: soft C-E-G arpeggio that rings together
        n = int(0.56 * rate)
        out = np.zeros(n)
        for i, f in enumerate((523.25, 659.25, 783.99)):
            start = int(i * 0.12 * rate)
            out[start:] += _tone([f], (n - start) / rate, rate, 0.11, release=0.25)[: n - start]
    elif name == "page":  # screen change: filtered-noise swish
        out = _swish(0.25, rate, 0.15)
    else:
        raise KeyError(name)
    # Guard rail: whatever the recipe, never exceed the soft-cue ceiling.
    peak = float(np.max(np.abs(out)))
    if peak > _PEAK:
        out *= _PEAK / peak
    return out.astype(np.float32)


class SoundCues:
    """Plays the cues through pygame.mixer; a single `enabled` flag mutes everything."""

    def __init__(self, enabled: bool = True, volume: float = 0.5):
        # No mixer work here: the first frame must not wait for an audio device to open.
        self._enabled = bool(enabled)
        self._volume = min(1.0, max(0.0, float(volume)))
        self._state: bool | None = None  # None = not tried yet, then True/False
        self._sounds: dict[str, pygame.mixer.Sound] = {}

    @property
    def enabled(self) -> bool:
        """Whether cues play; setting False also stops any cue currently sounding."""
        return self._enabled

    @enabled.setter
    def enabled(self, value: bool) -> None:
        self._enabled = bool(value)
        if not self._enabled and pygame.mixer.get_init():
            for sound in self._sounds.values():  # only our sounds: leave other audio alone
                sound.stop()

    @property
    def available(self) -> bool:
        """True only when the mixer could be initialised (tries once, lazily)."""
        if self._state and not pygame.mixer.get_init():
            # Someone shut the mixer down since; cached Sounds are dead, so start again.
            self._state, self._sounds = None, {}
        if self._state is None:
            self._state = open_mixer()  # no audio device: stay silent rather than crash
        return bool(self._state)

    def play(self, name: str) -> None:
        """Play cue `name`; no-op when disabled or unavailable. Unknown name raises KeyError."""
        if name not in CUES:
            raise KeyError(name)
        if not self._enabled or not self.available:
            return
        sound = self._sounds.get(name)
        if sound is None:
            sound = self._sounds[name] = self._build(name)
        if sound is not None:
            sound.play()

    def prepare(self) -> None:
        """Open the mixer and render every cue now (on an idle screen), so no later keypress waits."""
        if self._enabled and self.available:
            for name in CUES:
                if name not in self._sounds:
                    self._sounds[name] = self._build(name)

    def _build(self, name: str) -> pygame.mixer.Sound | None:
        """Render the cue at the mixer's actual rate, format and channel count."""
        sound = make_sound(synthesize(name, pygame.mixer.get_init()[0]))
        if sound is not None:
            sound.set_volume(self._volume)
        return sound


def open_mixer() -> bool:
    """Open the mixer if it is not open (44.1 kHz, 16-bit, stereo); False when there is no audio device."""
    try:
        if not pygame.mixer.get_init():
            pygame.mixer.init(frequency=44100, size=-16, channels=2)
        return pygame.mixer.get_init() is not None
    except (pygame.error, OSError, RuntimeError, ValueError):
        return False


def make_sound(samples: np.ndarray, rate: int | None = None) -> pygame.mixer.Sound | None:
    """A mixer Sound from mono float samples in [-1, 1] at `rate` Hz (default: the mixer's rate),
    resampled and converted to the open mixer's rate, format and channel count. None when the
    mixer's format cannot be fed (never raises for that)."""
    mixer_rate, fmt, channels = pygame.mixer.get_init()
    samples = np.asarray(samples, dtype=np.float64)
    if rate and rate != mixer_rate and len(samples) > 1:
        # Linear interpolation is plenty for speech and cues, and keeps NumPy the only dependency.
        count = max(1, round(len(samples) * mixer_rate / rate))
        samples = np.interp(np.linspace(0, len(samples) - 1, count), np.arange(len(samples)), samples)
    dtype, scale = _FORMATS.get(fmt, (np.int16, 32767))
    samples = samples * scale
    if dtype in (np.uint8, np.uint16):
        samples += scale + 1  # unsigned formats are centred on half-range
    data = samples.astype(dtype)
    if channels > 1:
        data = np.ascontiguousarray(np.repeat(data[:, None], channels, axis=1))
    try:
        return pygame.sndarray.make_sound(data)
    except (pygame.error, ValueError, TypeError):
        return None  # an exotic mixer format we cannot feed: skip the sound, never crash
