"""Self-voicing: the interface read aloud by eSpeak NG, synthesised off the main thread and played through the mixer.

The speech engine is optional (`pip install 'parley[voice]'` installs `espeakng-loader`, a wheel that
ships libespeak-ng and its voice data). It is driven here through its C API with ctypes: text in,
16-bit PCM samples out, in memory. Without it, `Voice` still records what it was asked to say and
`Voice.problem` says how to install it; nothing raises.
"""
from __future__ import annotations

import ctypes
import importlib.util
import os
import tempfile
import threading
from collections import deque

import numpy as np
import pygame

from ..i18n import N_, _
from ..safetext import clean

ENGINE_MODULE = "espeakng_loader"  # from the PyPI package espeakng-loader
MISSING = N_("Self-voicing needs the optional speech engine: pip install 'parley[voice]'")
BROKEN = N_("The speech engine could not start ({why}); self-voicing is silent.")
MAX_CHARS = 4000  # one utterance; a debrief page is far shorter
VOLUME = 0.9
WORDS_PER_MINUTE = 175

# libespeak-ng's C API (speak_lib.h): the few names used here.
_AUDIO_OUTPUT_SYNCHRONOUS = 2  # espeak_Synth returns when done; samples arrive through the callback
_INITIALIZE_DONT_EXIT = 0x8000  # report a failure instead of calling exit() (it would close the window)
_CHARS_UTF8 = 1
_POS_CHARACTER = 1
_RATE = 1  # espeakRATE, words per minute
_PATH_LIMIT = 150  # espeak-ng copies the data path into a 160-byte buffer; longer paths are cut
_CALLBACK = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.c_void_p)


class EngineError(Exception):
    """The speech engine is not installed or cannot start; the message says which, for the trainee."""


def engine_installed() -> bool:
    """True when the optional speech engine's package is importable (nothing is loaded)."""
    return importlib.util.find_spec(ENGINE_MODULE) is not None


def _short_data_path(path: str) -> str:
    """`path`, or a short link to it when espeak-ng could not hold it (a deep virtualenv)."""
    if len(path.encode("utf-8")) < _PATH_LIMIT and path.isascii():
        return path
    link = os.path.join(tempfile.gettempdir(), f"parley-espeak-{os.getuid() if hasattr(os, 'getuid') else 0}")
    if os.path.realpath(link) != os.path.realpath(path):
        if os.path.islink(link):
            os.unlink(link)
        os.symlink(path, link)
    return link


class Engine:
    """libespeak-ng through ctypes. Not thread-safe: one lock serialises every call."""

    def __init__(self):
        try:
            import espeakng_loader
        except ImportError as exc:
            raise EngineError(_(MISSING)) from exc
        try:
            lib = ctypes.CDLL(espeakng_loader.get_library_path())
            data = _short_data_path(espeakng_loader.get_data_path())
        except (OSError, RuntimeError) as exc:
            raise EngineError(_(BROKEN).format(why=exc)) from exc
        lib.espeak_Initialize.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_int]
        lib.espeak_Initialize.restype = ctypes.c_int
        lib.espeak_SetSynthCallback.argtypes = [_CALLBACK]
        lib.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]
        lib.espeak_SetVoiceByName.restype = ctypes.c_int
        lib.espeak_SetParameter.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int]
        lib.espeak_Synth.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_uint, ctypes.c_int, ctypes.c_uint,
                                     ctypes.c_uint, ctypes.POINTER(ctypes.c_uint), ctypes.c_void_p]
        lib.espeak_Synth.restype = ctypes.c_int
        rate = lib.espeak_Initialize(_AUDIO_OUTPUT_SYNCHRONOUS, 200, data.encode("utf-8"), _INITIALIZE_DONT_EXIT)
        if rate <= 0:
            raise EngineError(_(BROKEN).format(why=_("its voice data was not found")))
        self.lib, self.rate = lib, rate
        self.lock = threading.Lock()
        self._chunks: list[np.ndarray] = []
        self._cancelled = lambda: False
        self._callback = _CALLBACK(self._receive)  # kept referenced: the library holds the pointer
        lib.espeak_SetSynthCallback(self._callback)
        lib.espeak_SetParameter(_RATE, WORDS_PER_MINUTE, 0)
        self._language = None

    def _receive(self, wav, count, events) -> int:
        if count > 0 and wav:
            self._chunks.append(np.ctypeslib.as_array(wav, shape=(count,)).copy())
        return 1 if self._cancelled() else 0  # 1 stops the synthesis: a newer utterance replaced it

    def synthesize(self, text: str, language: str = "en", cancelled=lambda: False) -> np.ndarray:
        """`text` spoken in `language` as mono 16-bit samples at `self.rate` Hz (empty when cancelled)."""
        data = clean(text)[:MAX_CHARS].encode("utf-8") + b"\0"
        with self.lock:
            if language != self._language:
                if self.lib.espeak_SetVoiceByName(language.encode("ascii", "ignore")) != 0:
                    self.lib.espeak_SetVoiceByName(b"en")
                self._language = language
            self._chunks, self._cancelled = [], cancelled
            try:
                self.lib.espeak_Synth(data, len(data), 0, _POS_CHARACTER, 0, _CHARS_UTF8, None, None)
            finally:
                chunks, self._chunks, self._cancelled = self._chunks, [], (lambda: False)
        if cancelled() or not chunks:
            return np.zeros(0, dtype=np.int16)
        return np.concatenate(chunks).astype(np.int16)


_engine: Engine | None = None
_engine_error: EngineError | None = None
_engine_lock = threading.Lock()


def engine() -> Engine:
    """The process's one speech engine, started on first use; raises EngineError when unavailable."""
    global _engine, _engine_error
    with _engine_lock:
        if _engine is None and _engine_error is None:
            try:
                _engine = Engine()
            except EngineError as exc:
                _engine_error = exc
        if _engine is None:
            raise _engine_error
        return _engine


def synthesize(text: str, language: str = "en") -> tuple[np.ndarray, int]:
    """`text` as (mono int16 samples, sample rate), in memory. Raises EngineError without the engine."""
    speech = engine()
    return speech.synthesize(text, language), speech.rate


class Voice:
    """Says text aloud: `say` returns at once; a worker thread synthesises, and `update` (called
    every frame) plays what is ready on a mixer channel of its own. A new utterance stops the one
    sounding unless `interrupt` is False, when it waits its turn. `utterances` lists everything it
    was asked to say, in order (tests read it; it is kept even without the engine)."""

    def __init__(self, language=lambda: "en"):
        self.language = language  # a callable: the interface language at the moment of speaking
        self.utterances: list[str] = []
        self.problem: str | None = None if engine_installed() else _(MISSING)
        self._generation = 0  # bumped by every interruption; older work is dropped
        self._pending: deque = deque()  # (generation, text, language) for the worker
        self._ready: deque = deque()  # (generation, samples, rate) for the mixer
        self._wake = threading.Condition()
        self._thread: threading.Thread | None = None
        self._channel = None
        self._working = False  # the worker is synthesising an utterance

    @property
    def available(self) -> bool:
        """True unless the engine is missing or failed to start."""
        return self.problem is None

    def say(self, text: str, interrupt: bool = True, language: str | None = None) -> None:
        """Speak `text` (in `language`, default the interface's). Never blocks the frame."""
        text = clean(text or "").strip()
        if not text:
            return
        self.utterances.append(text)
        if interrupt:
            self.stop()
        if not self.available:
            return
        with self._wake:
            self._pending.append((self._generation, text, language or self.language()))
            self._wake.notify()
        if self._thread is None:
            self._thread = threading.Thread(target=self._work, name="parley-voice", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        """Silence the current utterance and drop everything not yet spoken."""
        with self._wake:
            self._generation += 1
            self._pending.clear()
            self._ready.clear()
        if self._channel is not None:
            self._channel.stop()

    def _work(self) -> None:
        while True:
            with self._wake:
                while not self._pending:
                    self._wake.wait()
                generation, text, language = self._pending.popleft()
                if generation != self._generation:
                    continue
                self._working = True
            try:
                speech = engine()
                samples = speech.synthesize(text, language, lambda g=generation: g != self._generation)
            except EngineError as exc:
                self.problem = str(exc)
                return
            except Exception as exc:  # noqa: BLE001 - a speech failure must never reach the window
                self.problem = _(BROKEN).format(why=type(exc).__name__)
                return
            finally:
                self._working = False
            with self._wake:
                if generation == self._generation and len(samples):
                    self._ready.append((generation, samples, speech.rate))

    def update(self) -> None:
        """Play the next utterance that is ready when nothing of ours is sounding (main thread)."""
        if not self._ready:
            return
        if self._channel is not None and self._channel.get_busy():
            return
        with self._wake:
            if not self._ready:
                return
            generation, samples, rate = self._ready.popleft()
            if generation != self._generation:
                return
        from .sound import make_sound, open_mixer
        if not open_mixer():
            return
        if self._channel is None:
            # Channel 0 is kept for speech, so a sound cue never cuts a sentence off (and the reverse).
            pygame.mixer.set_reserved(1)
            self._channel = pygame.mixer.Channel(0)
        sound = make_sound(samples.astype(np.float32) / 32768.0, rate)
        if sound is not None:
            sound.set_volume(VOLUME)
            self._channel.play(sound)

    @property
    def busy(self) -> bool:
        """True while something is being synthesised, waiting or sounding."""
        sounding = self._channel is not None and self._channel.get_busy()
        return bool(self._pending or self._working or self._ready or sounding)
