# Draws Parley's generated portrait sets (four expressions each) from portraits.yaml as nanosvg-safe SVG.
"""Portrait generator for Parley.

Usage::

    python assets/tools/portraits.py            # regenerate every set in portraits.yaml
    python assets/tools/portraits.py eli-navarro # regenerate only the named sets

Each character in ``portraits.yaml`` becomes ``assets/portraits/<slug>/`` with
``calm.svg``, ``anxious.svg``, ``upset.svg`` and ``angry.svg`` (600x800,
transparent, head and shoulders).  The drawing follows the hand-made sets
(ruth-lindqvist, sam-reyes, kyle-brennan...): the same face geometry, the same
expression rules (brows, lids, irises, mouth, flush, posture) and the same
layer order, so generated and hand-made people sit side by side.

Only the Python standard library is used; ``portraits.yaml`` is read with the
small YAML-subset reader below.  The output is deterministic (no randomness,
no dates), and uses only what nanosvg renders: paths, ellipses, rects,
circles, opacity, transforms and linear/radial gradients with percentage
coordinates.  The generator refuses to overwrite the eight hand-made sets.
"""

import math
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ASSETS = os.path.dirname(HERE)
SPEC = os.path.join(HERE, "portraits.yaml")
HAND_MADE = {"ruth-lindqvist", "leo-lindqvist", "sam-reyes", "minh-tran", "linh-tran",
             "kyle-brennan", "phone-interpreter", "daniel-tran"}
EXPRESSIONS = ("calm", "anxious", "upset", "angry")
OUTLINE = "#34303a"


# --------------------------------------------------------------------------
# A reader for the YAML subset used by portraits.yaml
# --------------------------------------------------------------------------

def _scalar(text):
    """Convert one YAML scalar (quoted string, number, boolean or bare word)."""
    text = text.strip()
    if not text:
        return None
    if text[0] in "\"'" and text[-1] == text[0]:
        return text[1:-1]
    if text in ("true", "false"):
        return text == "true"
    try:
        return int(text)
    except ValueError:
        pass
    try:
        return float(text)
    except ValueError:
        return text


def _flow(text, pos=0):
    """Parse a flow collection ({a: 1} or [1, 2]) starting at text[pos]; return (value, end)."""
    opener = text[pos]
    closer = "}" if opener == "{" else "]"
    items = {} if opener == "{" else []
    pos += 1
    while True:
        while text[pos] in " ,":
            pos += 1
        if text[pos] == closer:
            return items, pos + 1
        if opener == "{":
            colon = text.index(":", pos)
            key = _scalar(text[pos:colon])
            pos = colon + 1
            while text[pos] == " ":
                pos += 1
        if text[pos] in "{[":
            value, pos = _flow(text, pos)
        else:
            end = pos
            quote = text[pos] if text[pos] in "\"'" else None
            if quote:
                end = text.index(quote, pos + 1) + 1
            else:
                while text[end] not in ",}]":
                    end += 1
            value = _scalar(text[pos:end])
            pos = end
        if opener == "{":
            items[key] = value
        else:
            items.append(value)


def _strip_comment(line):
    """Remove a trailing # comment that is not inside quotes."""
    quote = None
    for i, ch in enumerate(line):
        if ch in "\"'" and quote in (None, ch):
            quote = None if quote else ch
        elif ch == "#" and quote is None and (i == 0 or line[i - 1] == " "):
            return line[:i]
    return line


def read_yaml(path):
    """Read block mappings, '- ' lists of scalars, and flow {..}/[..] values."""
    root = {}
    stack = [(-1, root)]
    with open(path, encoding="utf-8") as fh:
        lines = [_strip_comment(l).rstrip() for l in fh]
    for i, line in enumerate(lines):
        if not line.strip():
            continue
        indent = len(line) - len(line.lstrip())
        body = line.strip()
        while stack[-1][0] >= indent:
            stack.pop()
        parent = stack[-1][1]
        if body.startswith("- "):
            parent.append(_scalar(body[2:]))
            continue
        key, _, rest = body.partition(":")
        key, rest = key.strip(), rest.strip()
        if rest.startswith(("{", "[")):
            parent[key] = _flow(rest)[0]
        elif rest:
            parent[key] = _scalar(rest)
        else:
            nxt = next((l for l in lines[i + 1:] if l.strip()), "")
            child = [] if nxt.strip().startswith("- ") else {}
            parent[key] = child
            stack.append((indent, child))
    return root


# --------------------------------------------------------------------------
# Colours and SVG helpers
# --------------------------------------------------------------------------

def rgb(hexcol):
    """'#rrggbb' -> (r, g, b)."""
    h = hexcol.lstrip("#")
    return tuple(int(h[i:i + 2], 16) for i in (0, 2, 4))


def hexc(c):
    """(r, g, b) -> '#rrggbb', clamped."""
    return "#" + "".join("%02x" % max(0, min(255, int(round(v)))) for v in c)


def shade(col, k):
    """Multiply a colour by k (k < 1 darkens)."""
    return hexc(tuple(v * k for v in rgb(col)))


def mix(a, b, t):
    """Blend colour a towards colour b by t (0..1)."""
    ca, cb = rgb(a), rgb(b)
    return hexc(tuple(x + (y - x) * t for x, y in zip(ca, cb)))


def n(v):
    """Format a number compactly (at most two decimals)."""
    v = round(v, 2)
    if v == int(v):
        return str(int(v))
    return ("%.2f" % v).rstrip("0").rstrip(".")


def P(d, fill=None, stroke=None, sw=2, op=None, round_caps=True, extra=""):
    """A <path>; stroked paths get round caps and joins like the hand-made art."""
    s = '<path d="%s" fill="%s"' % (d, fill or "none")
    if stroke:
        s += ' stroke="%s" stroke-width="%s"' % (stroke, n(sw))
        if round_caps:
            s += ' stroke-linecap="round" stroke-linejoin="round"'
    if extra:
        s += " " + extra
    if op is not None and op < 1:
        s += ' opacity="%s"' % n(op)
    return s + "/>"


def E(cx, cy, rx, ry=None, fill=None, stroke=None, sw=2, op=None, extra=""):
    """An <ellipse>."""
    ry = rx if ry is None else ry
    s = '<ellipse cx="%s" cy="%s" rx="%s" ry="%s" fill="%s"' % (n(cx), n(cy), n(rx), n(ry), fill or "none")
    if stroke:
        s += ' stroke="%s" stroke-width="%s"' % (stroke, n(sw))
    if extra:
        s += " " + extra
    if op is not None and op < 1:
        s += ' opacity="%s"' % n(op)
    return s + "/>"


def R(x, y, w, h, rx=0, fill=None, stroke=None, sw=2, op=None, extra=""):
    """A <rect>."""
    s = '<rect x="%s" y="%s" width="%s" height="%s"' % (n(x), n(y), n(w), n(h))
    if rx:
        s += ' rx="%s" ry="%s"' % (n(rx), n(rx))
    s += ' fill="%s"' % (fill or "none")
    if stroke:
        s += ' stroke="%s" stroke-width="%s"' % (stroke, n(sw))
    if extra:
        s += " " + extra
    if op is not None and op < 1:
        s += ' opacity="%s"' % n(op)
    return s + "/>"


def glow(grad_id, rx, ry, cx, cy, op=None):
    """A soft elliptical glow: a unit circle scaled by a matrix (nanosvg-safe)."""
    s = '<circle cx="0" cy="0" r="1" fill="url(#%s)" transform="matrix(%s 0 0 %s %s %s)"' % (
        grad_id, n(rx), n(ry), n(cx), n(cy))
    if op is not None and op < 1:
        s += ' opacity="%s"' % n(op)
    return s + "/>"


def matrix(m):
    """SVG matrix() from a 6-tuple (a, b, c, d, e, f)."""
    return "matrix(%s)" % " ".join(n(v) if abs(v) >= 0.00005 else "0" for v in m)


def mul(m1, m2):
    """Compose two affine matrices: apply m2 first, then m1."""
    a1, b1, c1, d1, e1, f1 = m1
    a2, b2, c2, d2, e2, f2 = m2
    return (a1 * a2 + c1 * b2, b1 * a2 + d1 * b2, a1 * c2 + c1 * d2, b1 * c2 + d1 * d2,
            a1 * e2 + c1 * f2 + e1, b1 * e2 + d1 * f2 + f1)


def lin(gid, stops, horizontal=False, diagonal=False):
    """A bounding-box linear gradient (percent coordinates, as nanosvg needs)."""
    x2, y2 = ("100%", "0%") if horizontal else ("0%", "100%")
    if diagonal:
        x2, y2 = "100%", "100%"
    body = "".join('<stop offset="%s" stop-color="%s"%s/>' % (
        n(o), c, "" if a is None else ' stop-opacity="%s"' % n(a)) for o, c, a in stops)
    return '<linearGradient id="%s" x1="0%%" y1="0%%" x2="%s" y2="%s">%s</linearGradient>' % (gid, x2, y2, body)


def rad(gid, stops, cx="50%", cy="50%", r="50%"):
    """A bounding-box radial gradient."""
    body = "".join('<stop offset="%s" stop-color="%s"%s/>' % (
        n(o), c, "" if a is None else ' stop-opacity="%s"' % n(a)) for o, c, a in stops)
    return '<radialGradient id="%s" cx="%s" cy="%s" r="%s">%s</radialGradient>' % (gid, cx, cy, r, body)


# --------------------------------------------------------------------------
# Expressions: the same numbers as the hand-made sets
# --------------------------------------------------------------------------

CALM_HEAD = (1.12, 0, 0, 1.12, -36, -37.2)

# Posture of the shoulders (body group) and the head group, per expression.
BODY_POSTURE = {
    "calm": (1, 0, 0, 1, 0, 0),
    "anxious": (0.97, 0, 0, 1.075, 9, -60),      # shoulders raised
    "upset": (0.985, 0, 0, 0.94, 4.5, 48),       # slumped
    "angry": (1.05, 0, 0, 1.06, -15, -48),       # squared
    "distressed": (0.96, 0, 0, 1.09, 12, -70),   # hunched in on himself
}
HEAD_POSTURE = {
    "calm": CALM_HEAD,
    "anxious": (1.1185, -0.0586, 0.0586, 1.1185, -68.3646, -16.7556),
    "upset": (1.1173, 0.0781, -0.0781, 1.1173, 8.5697, -47.1103),
    "angry": (1.1704, 0, 0, 1.1704, -51.12, -57.424),
    "distressed": (1.1155, 0.1004, -0.1004, 1.1155, 16.5, -50),
}

# Per expression: upper lid controls (outer, inner), lower lid, iris offset and
# radius, the skin ring's vertical radius, and the left brow (inner x, inner y,
# control x, control y, outer y, thickness).
FACE = {
    "calm": dict(uo=336, ui=336, lo=364, idx=0, idy=2, ir=12.5, ring=34,
                 brow=(280, 311, 250, 302, 320, 10)),
    "anxious": dict(uo=328.9, ui=328.1, lo=365.8, idx=-6, idy=0, ir=10.8, ring=40,
                    brow=(278, 296.2, 249, 297.2, 317, 9.6)),
    "upset": dict(uo=343.2, ui=338.4, lo=364, idx=0, idy=6, ir=12.5, ring=32.2,
                  brow=(285, 301.8, 252.5, 308.8, 327, 10.4)),
    "angry": dict(uo=336.8, ui=346.4, lo=360.4, idx=0, idy=0, ir=12.5, ring=33.4,
                  brow=(287, 322.8, 253.5, 312.8, 311, 12.4)),
    "distressed": dict(uo=330, ui=331, lo=366, idx=-3, idy=4, ir=10.8, ring=40,
                       brow=(283, 293, 251, 300, 323, 10.2)),
}


# --------------------------------------------------------------------------
# The drawing of one portrait
# --------------------------------------------------------------------------

class Portrait:
    """One character drawn in one expression; call svg() for the file text."""

    def __init__(self, slug, spec, expression):
        self.slug = slug
        self.s = spec
        self.label = expression
        # 'face_as' lets a character show another expression's face in a file,
        # e.g. a frightened young man whose 'angry' file reads as distressed.
        self.expr = spec.get("face_as", {}).get(expression, expression)
        self.f = FACE[self.expr]
        self.id = slug.split("-")[0]
        self.defs = []
        skin = spec["skin"]
        self.skin = skin
        self.skin_line = shade(skin, 0.55)
        self.skin_shade = shade(skin, 0.84)
        self.line = shade(skin, 0.62)
        lip = mix(shade(skin, 0.72), "#b04848", spec.get("lip_tint", 0.3))
        self.lip, self.lip_dark, self.lip_line = lip, shade(lip, 0.72), shade(lip, 0.5)
        self.cheek = mix(skin, "#a37078", 0.69)
        head = spec.get("head", {})
        self.w = head.get("width", 106)
        self.jaw = head.get("jaw", 94)
        self.chin = head.get("chin", 512)
        self.top = head.get("top", 190)
        self.age = spec.get("age", "adult")
        hair = spec.get("hair", {})
        self.hair = hair
        hc = hair.get("color", "#2a2426")
        self.hair_hi = hair.get("light", mix(hc, "#ffffff", 0.18))
        self.hair_c = hc
        self.hair_dk = shade(hc, 0.68)
        self.brow_c = spec.get("brows", shade(hc, 0.9) if hair.get("style") not in ("bald",) else "#4a3a32")
        self.gaze = spec.get("gaze", [0, 0])

    # -- small helpers -----------------------------------------------------
    def gid(self, name):
        """A gradient id unique to this character."""
        return "%s_%s" % (name, self.id)

    def open_jaw(self):
        """How far the chin drops (the shouting mouth lengthens the face)."""
        return 10 if self.expr in ("angry", "distressed") else 0

    def face_path(self):
        """The face outline: forehead, cheeks, jaw and chin."""
        w, j, c, t = self.w, self.jaw, self.chin + self.open_jaw(), self.top
        k = j * 0.4875
        pts = [(300, t), (300 + w * 0.62, t), (300 + w, t + 55), (300 + w, 335),
               (300 + w, 397), (300 + j, c - 72), (300 + k, c - 22),
               (300 + k * 0.577, c - 4), (314, c), (300, c)]
        right = "M%s %s C%s %s %s %s %s %s C%s %s %s %s %s %s C%s %s %s %s %s %s" % tuple(
            n(v) for pt in pts for v in pt)
        left = " C%s %s %s %s %s %s C%s %s %s %s %s %s C%s %s %s %s %s %s Z" % tuple(
            n(v) for pt in [(286, c), (300 - k * 0.577, c - 4), (300 - k, c - 22),
                            (300 - j, c - 72), (300 - w, 397), (300 - w, 335),
                            (300 - w, t + 55), (300 - w * 0.62, t), (300, t)] for v in pt)
        return right + left

    # -- gradients ---------------------------------------------------------
    def make_defs(self):
        """Gradients shared by every layer."""
        s, hc = self.s, self.hair_c
        self.defs.append(rad(self.gid("faceshade"), [(0, self.skin, 0), (0.6, self.skin, 0),
                                                      (1, shade(self.skin, 0.7), 0.6)], cy="42%", r="60%"))
        eye = s.get("eyes", "#3a2a1e")
        self.defs.append(lin(self.gid("iris"), [(0, eye, None), (1, mix(eye, "#d8d0c8", 0.5), None)]))
        self.defs.append(lin(self.gid("hair"), [(0, self.hair_hi, None), (0.5, hc, None), (1, self.hair_dk, None)]))
        cl = s.get("clothes", {})
        cc = cl.get("color", "#6a7482")
        self.defs.append(lin(self.gid("cloth"), [(0, mix(cc, "#ffffff", 0.08), None), (1, shade(cc, 0.78), None)]))
        under = cl.get("under", "#e9e4da")
        self.defs.append(lin(self.gid("top"), [(0, under, None), (1, shade(under, 0.88), None)]))
        bc = s.get("beard", {}).get("color", hc)
        self.defs.append(lin(self.gid("beard"), [(0, bc, None), (1, shade(bc, 0.75), None)]))
        self.defs.append(rad(self.gid("flush"), [(0, "#e0584e", 0.9), (1, "#e0584e", 0)]))
        self.defs.append(lin(self.gid("badge"), [(0, "#efd98a", None), (1, "#b8933a", None)], diagonal=True))
        if s.get("phone"):
            self.defs.append(lin(self.gid("card"), [(0, "#3a4656", None), (1, "#1f2731", None)]))
            self.defs.append(rad(self.gid("glow"), [(0, "#6f8399", 0.55), (1, "#6f8399", 0)]))
            self.defs.append(lin(self.gid("phone"), [(0, "#3d434d", None), (1, "#16191e", None)], diagonal=True))

    # -- the face ----------------------------------------------------------
    def eye(self, side):
        """One eye: white, iris, skin ring, crease or hood, lid line, lash, lower lid."""
        f, out = self.f, []
        m = 1 if side == "L" else -1
        cx = 252 if side == "L" else 348

        def X(x):
            return x if side == "L" else 600 - x
        if side == "L":
            white = "M225 350 C235.8 %s 268.2 %s 279 352 C265.5 %s 238.5 %s 225 350 Z" % (
                n(f["uo"]), n(f["ui"]), n(f["lo"]), n(f["lo"]))
            top = "M225 350 C235.8 %s 268.2 %s 279 352" % (n(f["uo"]), n(f["ui"]))
        else:
            white = "M321 352 C331.8 %s 364.2 %s 375 350 C361.5 %s 334.5 %s 321 352 Z" % (
                n(f["ui"]), n(f["uo"]), n(f["lo"]), n(f["lo"]))
            top = "M321 352 C331.8 %s 364.2 %s 375 350" % (n(f["ui"]), n(f["uo"]))
        sclera = "#fbf8f3"
        if self.red_eyes():
            sclera = "#f6e4e0"
        out.append(P(white, sclera))
        ir = f["ir"]
        ix = cx + f["idx"] + self.gaze[0]
        iy = 352 + f["idy"] + self.gaze[1]
        k = ir / 12.5
        iris_line = shade(self.s.get("eyes", "#3a2a1e"), 0.78)
        out.append(E(ix, iy, ir, fill="url(#%s)" % self.gid("iris")))
        out.append(E(ix, iy, ir, stroke=iris_line, sw=1.6))
        out.append(E(ix, iy, 5.8 * k, fill="#1b1718"))
        out.append(E(ix + 4.4 * k, iy - 4.8 * k, 3.2 * k, fill="#ffffff"))
        out.append(E(ix - 4.4 * k, iy + 4.4 * k, 1.4 * k, fill="#ffffff", op=0.8))
        if self.expr in ("upset", "distressed"):
            out.append(E(ix - 1.2, iy + 5.6, 2, fill="#ffffff", op=0.8))
        ry = f["ring"]
        ring = "M%s 352 C%s %s %s %s %s %s C%s %s %s %s %s 352 C%s %s %s %s %s %s C%s %s %s %s %s 352 Z" % (
            n(cx - 43), n(cx - 43), n(352 - ry * 0.553), n(cx - 23.7), n(352 - ry), n(cx), n(352 - ry),
            n(cx + 23.7), n(352 - ry), n(cx + 43), n(352 - ry * 0.553), n(cx + 43),
            n(cx + 43), n(352 + ry * 0.553), n(cx + 23.7), n(352 + ry), n(cx), n(352 + ry),
            n(cx - 23.7), n(352 + ry), n(cx - 43), n(352 + ry * 0.553), n(cx - 43))
        out.append(P(ring + " " + white, self.skin, extra='fill-rule="evenodd"'))
        if self.age == "elder":
            if side == "L":
                hood = "M223 349 C236 %s 268 %s 281 351 C268 %s 236 %s 223 349 Z" % (
                    n(f["uo"] - 9), n(f["ui"] - 9), n(f["ui"] + 1), n(f["uo"] + 1))
            else:
                hood = "M319 351 C332 %s 364 %s 377 349 C364 %s 332 %s 319 351 Z" % (
                    n(f["ui"] - 9), n(f["uo"] - 9), n(f["uo"] + 1), n(f["ui"] + 1))
            out.append(P(hood, self.skin_shade, op=0.55))
        else:
            if side == "L":
                crease = "M229 344 C236.9 %s 267.1 %s 276 346" % (n(f["uo"] - 8), n(f["ui"] - 8))
            else:
                crease = "M325 346 C332.9 %s 363.1 %s 372 344" % (n(f["ui"] - 8), n(f["uo"] - 8))
            out.append(P(crease, stroke=self.line, sw=2.2, op=0.6))
        out.append(P(top, stroke="#2a2224", sw=4.2))
        out.append(P("M%s 350 L%s 346" % (n(X(226)), n(X(219))), stroke="#2a2224", sw=3))
        if side == "L":
            lower = "M275 353 C265.5 %s 238.5 %s 231 352" % (n(f["lo"]), n(f["lo"]))
        else:
            lower = "M371 351 C361.5 %s 334.5 %s 327 354" % (n(f["lo"]), n(f["lo"]))
        out.append(P(lower, stroke=self.line, sw=1.8, op=0.6))
        if self.expr in ("upset", "distressed"):
            out.append(P(lower, stroke="#dfeef6", sw=2.2, op=0.9))
        if self.red_eyes():
            out.append(P(lower, stroke="#d06a6a", sw=3, op=0.55))
        dy = (f["lo"] - 364) * 0.75
        if self.age in ("middle", "older", "elder") or self.s.get("tired"):
            if side == "L":
                under = "M233 %s Q252 %s 273 %s" % (n(370 + dy), n(376 + dy), n(369 + dy))
            else:
                under = "M329 %s Q348 %s 369 %s" % (n(370 + dy), n(376 + dy), n(369 + dy))
            out.append(P(under, stroke=self.line, sw=1.6 if not self.s.get("tired") else 2.4,
                         op=0.3 if not self.s.get("tired") else 0.45))
        if self.age in ("older", "elder"):
            if side == "L":
                out.append(P("M219 354 l-9 -4 M219 359 l-9 3", stroke=self.line, sw=1.4, op=0.4))
            else:
                out.append(P("M381 354 l9 -4 M381 359 l9 3", stroke=self.line, sw=1.4, op=0.4))
        return out

    def red_eyes(self):
        """True when this expression shows red, tired eyes (spec 'red_eyes')."""
        return self.label in self.s.get("red_eyes", [])

    def brows(self):
        """Both brows, from the expression's brow numbers."""
        ix, iy, cx, cy, oy, t = self.f["brow"]
        t *= self.s.get("brow_weight", 1.0)
        out = []
        for side in "LR":
            def X(x):
                return x if side == "L" else 600 - x
            d = "M%s %s Q%s %s %s %s Q%s %s %s %s Z" % (
                n(X(ix)), n(iy), n(X(cx)), n(cy), n(X(220)), n(oy), n(X(cx)), n(cy + t + 1), n(X(ix)), n(iy + t))
            out.append(P(d, self.brow_c, stroke=shade(self.brow_c, 0.8), sw=1.2))
        return out

    def nose(self):
        """The standard nose: bridge line, tip shade, nostrils, highlight."""
        w = self.s.get("nose_width", 1.0)
        L = self.line

        def X(x):
            return 300 + (x - 300) * w
        return [
            P("M291 360 C290 378 284 388 283 398", stroke=L, sw=2.2, op=0.5),
            E(300, 401, 17 * w, 9, fill=self.skin_shade, op=0.3),
            P("M%s 400 C%s 410 %s 412 %s 408 C298 412 306 412 306 409" % (n(X(282)), n(X(278)), n(X(290)), n(X(294))),
              stroke=L, sw=2.4),
            P("M306 409 C%s 412 %s 406 %s 400" % (n(X(316)), n(X(322)), n(X(317))), stroke=L, sw=2.4),
            E(306, 394, 5, 3.5, fill="#ffffff", op=0.2),
        ]

    def mouth(self):
        """The mouth for this expression (calm smile, tense, frown, shout)."""
        e, out = self.expr, []
        mw = self.s.get("mouth_width", 1.0)

        def X(x):
            return 300 + (x - 300) * mw
        thin = 0.75 if self.age in ("older", "elder") else 1.0
        if e == "calm":
            out.append(P("M%s 447 Q%s 441 300 444 Q%s 441 %s 447 Q300 452 %s 447 Z" % (
                n(X(268)), n(X(284)), n(X(316)), n(X(332)), n(X(268))), self.lip_dark))
            out.append(P("M%s 450 Q300 %s %s 450 Q300 %s %s 450 Z" % (
                n(X(272)), n(450 + 7 * thin), n(X(328)), n(450 + 19 * thin), n(X(272))), self.lip))
            out.append(P("M%s 444 Q300 459 %s 444" % (n(X(263)), n(X(337))), stroke=self.lip_line, sw=3.2))
            out.append(E(300, 450 + 10 * thin, 9, 2.5, fill="#ffffff", op=0.2))
            out.append(P("M%s 442 q-5 4 -3 9 M%s 442 q5 4 3 9" % (n(X(258)), n(X(342))), stroke=self.line, sw=1.8, op=0.5))
        elif e == "anxious":
            out.append(P("M276 452 Q300 443 324 452 Q300 462 276 452 Z", "#4c2329", stroke=self.lip_dark, sw=4))
            out.append(P("M281 450 Q300 445 319 450 L317 453.5 Q300 450.5 283 453.5 Z", "#f4efe8"))
            out.append(P("M281 462 Q300 469 319 462", stroke=self.lip, sw=4 * thin, op=0.9))
            out.append(P("M268 454 q4 -2 8 1 M332 454 q-4 -2 -8 1", stroke=self.line, sw=2, op=0.5))
        elif e == "upset":
            out.append(P("M%s 459 Q300 441 %s 459 Q300 450 %s 459 Z" % (n(X(270)), n(X(330)), n(X(270))), self.lip_dark))
            out.append(P("M%s 459 Q300 455 %s 459 Q300 %s %s 459 Z" % (
                n(X(278)), n(X(322)), n(459 + 11 * thin), n(X(278))), self.lip))
            out.append(P("M%s 462 Q300 446 %s 462" % (n(X(266)), n(X(334))), stroke=self.lip_line, sw=3.2))
            out.append(P("M288 483 Q300 479 312 483", stroke=self.line, sw=1.8, op=0.4))
        elif e == "angry":
            d = "M262 443 Q300 430 338 443 C347 468 330 492 300 495 C270 492 253 468 262 443 Z"
            out.append(P(d, "#4c2329"))
            out.append(P("M270 444 Q300 434 330 444 L328 453 Q300 444 272 453 Z", "#f4efe8"))
            out.append(P("M276 486 Q300 470 324 486 Q300 494 276 486 Z", "#b45d60"))
            out.append(P(d, stroke=self.lip, sw=6))
            out.append(P(d, stroke=self.lip_line, sw=1.5, op=0.6))
        elif e == "distressed":
            # an open, down-turned mouth: crying out, not attacking
            d = "M268 466 Q300 440 332 466 C330 482 318 490 300 490 C282 490 270 482 268 466 Z"
            out.append(P(d, "#4c2329"))
            out.append(P("M280 458 Q300 448 320 458 L318 464 Q300 456 282 464 Z", "#f4efe8"))
            out.append(P("M284 484 Q300 474 316 484 Q300 489 284 484 Z", "#b45d60"))
            out.append(P(d, stroke=self.lip, sw=5))
            out.append(P(d, stroke=self.lip_line, sw=1.5, op=0.6))
            out.append(P("M264 470 q-3 6 -1 12 M336 470 q3 6 1 12", stroke=self.line, sw=2, op=0.5))
        return out

    def expression_marks(self, where):
        """Lines, flush and drops that belong to an expression, by layer."""
        e, L, out = self.expr, self.line, []
        if where == "flush":
            op = {"upset": (0.2, 0.1), "angry": (0.3, 0.2), "distressed": (0.25, 0.1)}.get(e)
            if self.red_eyes():
                out.append(glow(self.gid("flush"), 34, 14, 252, 378, 0.22))
                out.append(glow(self.gid("flush"), 34, 14, 348, 378, 0.22))
                out.append(glow(self.gid("flush"), 12, 9, 300, 398, 0.25))
            if op:
                out.append(glow(self.gid("flush"), 38, 24, 238, 406, op[0]))
                out.append(glow(self.gid("flush"), 38, 24, 362, 406, op[0]))
                out.append(glow(self.gid("flush"), 70, 22, 300, 294, op[1]))
        elif where == "nose" and e == "angry":
            out.append(P("M288 370 q12 -4 24 0 M290 378 q10 -3 20 0", stroke=L, sw=1.8, op=0.5))
        elif where == "mouth" and e == "angry":
            out.append(P("M262 410 Q250 428 256 446 M338 410 Q350 428 344 446", stroke=L, sw=2.2, op=0.5))
        elif where == "brow":
            if e == "anxious":
                out.append(P("M262 282 Q300 272 338 282", stroke=L, sw=2, op=0.5))
            elif e == "upset":
                out.append(P("M294 301 q-2 10 0 18 M306 301 q2 10 0 18", stroke=L, sw=2.2, op=0.6))
            elif e == "angry":
                out.append(P("M294 323 q-2 10 0 18 M306 323 q2 10 0 18", stroke=L, sw=2.2, op=0.6))
            elif e == "distressed":
                out.append(P("M294 296 q-2 10 0 18 M306 296 q2 10 0 18", stroke=L, sw=2.2, op=0.6))
                out.append(P("M266 280 Q300 272 334 280", stroke=L, sw=2, op=0.45))
        elif where == "last":
            if e in ("anxious", "distressed"):
                out.append(P("M392 318 C394 326 400 332 400 338 C400 349 384 349 384 338 C384 332 390 326 392 318 Z",
                             "#dff0fa", stroke="#8fb3c8", sw=1.8))
            if e == "distressed" or (e == "upset" and self.s.get("tears")):
                out.append(P("M238 368 C236 388 238 404 242 420", stroke="#dff0fa", sw=4, op=0.8))
                out.append(P("M362 368 C364 384 362 398 358 410", stroke="#dff0fa", sw=4, op=0.7))
        return out

    def age_lines(self):
        """Forehead and smile lines that show age."""
        L, a, out = self.line, self.age, []
        if a == "middle":
            out.append(P("M262 296 Q300 290 338 296", stroke=L, sw=1.5, op=0.2))
            out.append(P("M262 426 Q254 444 262 462 M338 426 Q346 444 338 462", stroke=L, sw=1.8, op=0.25))
        elif a == "older":
            out.append(P("M258 292 Q300 285 342 292 M266 276 Q300 270 334 276", stroke=L, sw=1.6, op=0.28))
            out.append(P("M262 426 Q252 444 260 464 M338 426 Q348 444 340 464", stroke=L, sw=1.9, op=0.3))
        elif a == "elder":
            out.append(P("M256 290 Q300 282 344 290 M264 272 Q300 266 336 272 M270 256 Q300 251 330 256",
                         stroke=L, sw=1.7, op=0.32))
            out.append(P("M260 424 Q250 444 258 466 M340 424 Q350 444 342 466", stroke=L, sw=2, op=0.35))
            out.append(P("M248 480 Q256 496 268 502 M352 480 Q344 496 332 502", stroke=L, sw=1.8, op=0.28))
            out.append(P("M222 380 q6 10 16 14 M378 380 q-6 10 -16 14", stroke=L, sw=1.5, op=0.25))
        return out

    def ears(self, x_off=0):
        """Ears with the inner fold, placed just outside the face edge."""
        lx = 300 - self.w + 3 - x_off
        rx = 300 + self.w - 3 + x_off
        return [
            E(lx, 368, 17, 29, fill=self.skin, stroke=self.skin_line, sw=2.5),
            P("M%s 352 q-8 6 -1 26" % n(lx - 2), stroke=self.line, sw=2.2, op=0.6),
            E(rx, 368, 17, 29, fill=self.skin, stroke=self.skin_line, sw=2.5),
            P("M%s 352 q8 6 1 26" % n(rx + 2), stroke=self.line, sw=2.2, op=0.6),
        ]

    # -- layers ------------------------------------------------------------
    def head_group(self):
        """Everything that moves with the head, in the hand-made layer order."""
        hairmod = HAIR[self.hair.get("style", "short")]
        out = []
        out += hairmod(self, "back")
        if not self.hair.get("covers_ears"):
            out += self.ears()
        fp = self.face_path()
        out.append(P(fp, self.skin, stroke=self.skin_line, sw=3))
        out += self.eye("L") + self.eye("R")
        out.append(P(fp, "url(#%s)" % self.gid("faceshade")))
        out.append(E(234, 410, 26, 14, fill=self.cheek, op=0.1))
        out.append(E(366, 410, 26, 14, fill=self.cheek, op=0.1))
        if self.s.get("freckles"):
            for x, y in ((246, 392), (258, 400), (236, 404), (270, 390), (354, 392), (342, 400),
                         (364, 404), (330, 390), (292, 376), (308, 380)):
                out.append(E(x, y, 2.4, fill=shade(self.skin, 0.7), op=0.35))
        out += self.expression_marks("flush")
        out += self.age_lines()
        if self.s.get("earrings") and not self.hair.get("covers_ears"):
            ec = self.s["earrings"]
            out.append(E(300 - self.w, 396, 4.5, fill=ec, stroke=shade(ec, 0.65), sw=1))
            out.append(E(300 + self.w, 396, 4.5, fill=ec, stroke=shade(ec, 0.65), sw=1))
        out += self.nose()
        out += self.expression_marks("nose")
        beard = self.s.get("beard")
        if beard:
            out += BEARD[beard.get("style", "stubble")](self, "chin")
        out += self.mouth()
        if beard:
            out += BEARD[beard.get("style", "stubble")](self, "moustache")
        out += self.expression_marks("mouth")
        out += hairmod(self, "frame")
        if self.s.get("glasses", {}).get("on") == "face":
            out += glasses_on_face(self)
        out += self.brows()
        out += self.expression_marks("brow")
        out += hairmod(self, "front")
        g = self.s.get("glasses", {})
        if g.get("on") == "head":
            out += glasses_on_head(self)
        if self.s.get("phone"):
            out += phone_hand(self)
        out += self.expression_marks("last")
        return out

    def neck(self):
        """The neck (never moves with posture, like the hand-made files)."""
        k = self.s.get("neck", 1.0)

        def X(x):
            return 300 + (x - 300) * k
        return [
            P("M%s 420 L%s 420 C%s 500 %s 560 %s 630 L%s 630 C%s 560 %s 500 %s 420 Z" % (
                n(X(252)), n(X(348)), n(X(346)), n(X(350)), n(X(366)), n(X(234)), n(X(250)), n(X(254)), n(X(252))),
              self.skin, stroke=self.skin_line, sw=2.5),
            P("M%s 470 C%s 530 %s 530 %s 470 L%s 560 C%s 592 %s 592 %s 560 Z" % (
                n(X(252)), n(X(280)), n(X(320)), n(X(348)), n(X(350)), n(X(320)), n(X(280)), n(X(250))),
              self.skin_shade, op=0.6),
        ]

    def svg(self):
        """The complete SVG document for this portrait."""
        self.make_defs()
        body_m = BODY_POSTURE[self.expr]
        head_m = HEAD_POSTURE[self.expr]
        k = self.s.get("build", 1.0) * (0.807 if self.s.get("phone") else 1.0)
        scale = (k, 0, 0, 1, 300 * (1 - k), 0)
        cloth = CLOTHES[self.s.get("clothes", {}).get("style", "tshirt")]
        back = cloth(self, "back") + HAIR[self.hair.get("style", "short")](self, "behind")
        body = cloth(self, "body")
        over = cloth(self, "over")
        parts = []
        if self.s.get("phone"):
            parts.append("<g>")
            parts += phone_card(self)
            parts.append("</g>")
        parts.append('<g transform="%s">' % matrix(mul(body_m, scale)))
        parts += back
        parts.append("</g>")
        parts.append('<g transform="matrix(1 0 0 1 0 0)">')
        parts += self.neck()
        parts.append("</g>")
        parts.append('<g transform="%s">' % matrix(mul(body_m, scale)))
        parts += body
        parts.append("</g>")
        if self.s.get("phone"):
            parts += phone_arm(self)
        head = self.head_group()
        parts.append('<g transform="%s">' % matrix(head_m))
        parts += head
        parts.append("</g>")
        if over:
            parts.append('<g transform="%s">' % matrix(mul(body_m, scale)))
            parts += over
            parts.append("</g>")
        about = self.s.get("about", self.slug)
        head_txt = [
            '<?xml version="1.0" encoding="UTF-8"?>',
            '<!-- Parley portrait: %s, expression "%s" (600x800, transparent background) -->' % (self.slug, self.label),
            "<!-- %s -->" % about.replace("--", "-"),
            "<!-- Original art for the Parley project. (c) Parley contributors, CC BY 4.0 -->",
            "<!-- Generated by assets/tools/portraits.py from assets/tools/portraits.yaml; edit the spec, not this file. -->",
            '<svg xmlns="http://www.w3.org/2000/svg" width="600" height="800" viewBox="0 0 600 800">',
            "<defs>",
        ]
        return "\n".join(head_txt + self.defs + ["</defs>"] + parts + ["</svg>", ""])


# --------------------------------------------------------------------------
# Hair and headwear.  Each style is called for four layers:
#   'behind' (page coordinates, behind the shoulders), 'back' (behind the face),
#   'frame' (after the face, before the brows) and 'front' (over the forehead).
# --------------------------------------------------------------------------

def _strands(p, paths, color=None, sw=2.6, op=0.7):
    """Stroke a list of strand curves in the hair highlight colour."""
    return [P(d, stroke=color or p.hair_hi, sw=sw, op=op) for d in paths]


def _cap_front(p, top=164, hl=258, mid=246, side=352, inset=8, part=0):
    """A close hair cap over the top of the head with a soft hairline."""
    d = ("M192 %s C180 240 222 %s 300 %s C378 %s 420 240 408 %s L%s %s C%s 316 %s 282 382 %s "
         "C352 %s %s %s %s %s C282 %s 248 %s 218 %s C206 282 %s 316 %s %s Z") % (
        n(side), n(top + 4), n(top), n(top + 4), n(side), n(408 - inset), n(side + 2), n(406 - inset),
        n(402 - inset), n(hl), n(mid - 2), n(326 + part), n(mid), n(306 + part), n(mid + 6), n(mid), n(mid - 2), n(hl),
        n(194 + inset), n(192 + inset), n(side + 2))
    return P(d, "url(#%s)" % p.gid("hair"), stroke=OUTLINE, sw=3)


def hair_short(p, layer):
    """Short straight hair (a close cap with a few strands)."""
    if layer == "back":
        return [P("M192 350 C180 250 220 170 300 166 C380 170 420 250 408 350 Z", p.hair_dk)]
    if layer == "front":
        out = [_cap_front(p, top=p.hair.get("top", 164), hl=p.hair.get("hairline", 258),
                          mid=p.hair.get("mid", 246))]
        out += _strands(p, ["M232 212 q20 -14 44 -18", "M300 186 q24 -4 48 8", "M262 230 q20 -8 40 -6",
                            "M330 226 q22 2 40 16"])
        if p.hair.get("grey"):
            out += _strands(p, ["M204 300 q2 -30 14 -50", "M396 300 q-2 -30 -14 -50", "M210 330 q0 -20 6 -34",
                                "M390 330 q0 -20 -6 -34"], color=p.hair["grey"], sw=3, op=0.8)
        return out
    return []


def hair_coily_short(p, layer):
    """Close-cropped coily hair: a neat cap with a crisp hairline and fine texture."""
    top = p.hair.get("top", 170)
    if layer == "back":
        return [P("M194 350 C184 252 222 %s 300 %s C378 %s 416 252 406 350 Z" % (n(top + 6), n(top + 2), n(top + 6)), p.hair_dk)]
    if layer != "front":
        return []
    hl = p.hair.get("hairline", 252)
    d = ("M196 340 C186 250 224 %s 300 %s C376 %s 414 250 404 340 L398 340 C398 306 394 282 384 %s "
         "C356 %s 330 %s 300 %s C270 %s 244 %s 216 %s C206 282 202 306 202 340 Z") % (
        n(top + 6), n(top), n(top + 6), n(hl + 6), n(hl - 6), n(hl - 10), n(hl - 10), n(hl - 10), n(hl - 6), n(hl + 6))
    out = [P(d, "url(#%s)" % p.gid("hair"), stroke=OUTLINE, sw=2.5)]
    dots = []
    for row in range(5):
        y = top + 16 + row * 16
        for i in range(-5 + (row % 2), 6, 2):
            x = 300 + i * 17
            if abs(x - 300) < 96 - row * 2 and y < hl - 8 - abs(x - 300) * 0.05:
                dots.append("M%s %s q3 -3 6 0" % (n(x - 3), n(y)))
    out.append(P(" ".join(dots), stroke=p.hair_hi, sw=2, op=0.55))
    if p.hair.get("grey"):
        g = p.hair["grey"]
        flecks = " ".join("M%s %s q3 -3 6 0" % (n(x), n(y)) for x, y in (
            (206, 300), (212, 284), (206, 318), (220, 270), (388, 300), (382, 284), (388, 318), (374, 270),
            (232, 256), (362, 256), (258, 226), (336, 226), (294, 212)))
        out.append(P(flecks, stroke=g, sw=2.2, op=0.85))
        out.append(P("M203 336 C201 306 206 284 214 268 M397 336 C399 306 394 284 386 268",
                     stroke=g, sw=3.5, op=0.55))
    if p.hair.get("fade"):
        out.append(P("M200 338 C198 300 204 276 216 262 M400 338 C402 300 396 276 384 262",
                     stroke=p.hair_hi, sw=6, op=0.5))
    if p.hair.get("twists"):
        # short two-strand twists: two staggered rows of small rounded tufts over the crown
        for row, (y0, r) in enumerate(((top + 30, 11), (top + 12, 12))):
            for i in range(-4 + row, 5 - row):
                x = 300 + i * 21 + (10 if row else 0)
                y = y0 + abs(x - 300) * (0.2 + row * 0.1)
                out.append(E(x, y, r * 0.9, r, fill=p.hair_c, stroke=shade(p.hair_c, 0.6), sw=1.8))
                out.append(P("M%s %s q4 3 1 9" % (n(x - 3), n(y - r + 3)), stroke=p.hair_hi, sw=1.8, op=0.6))
    return out


def hair_bald(p, layer):
    """A shaved head: the face outline is raised (head: top) and a faint stubble shadow added."""
    if layer != "front":
        return []
    w, t = p.w, p.top
    d = ("M%s 318 C%s 250 %s %s 300 %s C%s %s %s 250 %s 318 C%s 280 %s %s 300 %s C%s %s %s 280 %s 318 Z") % (
        n(300 - w + 3), n(300 - w + 2), n(300 - w * 0.6), n(t + 4), n(t + 3), n(300 + w * 0.6), n(t + 4),
        n(300 + w - 2), n(300 + w - 3), n(300 + w - 14), n(300 + w * 0.45), n(t + 40), n(t + 40),
        n(300 - w * 0.45), n(t + 40), n(300 - w + 14), n(300 - w + 3))
    return [
        P(d, p.hair_c, op=0.14),
        P("M250 %s Q300 %s 350 %s" % (n(t + 18), n(t + 6), n(t + 18)), stroke="#ffffff", sw=7, op=0.16),
    ]


def hair_bob(p, layer):
    """A chin-length bob with a side-swept fringe."""
    grad = "url(#%s)" % p.gid("hair")
    if layer == "back":
        return [P("M184 470 C160 330 180 176 300 164 C420 176 440 330 416 470 C396 486 372 482 362 470 "
                  "L238 470 C228 482 204 486 184 470 Z", grad, stroke=OUTLINE, sw=3)]
    if layer == "front":
        d = ("M198 466 C180 400 176 280 194 230 C214 184 258 162 304 162 C350 164 388 186 406 232 "
             "C424 280 420 400 402 466 C392 474 378 474 368 464 C382 410 388 330 378 254 "
             "C350 268 300 274 262 262 C240 256 226 262 220 280 C210 330 216 410 232 464 "
             "C222 474 208 474 198 466 Z")
        out = [P(d, grad, stroke=OUTLINE, sw=3)]
        out += _strands(p, ["M226 238 C262 212 318 200 366 214", "M236 256 C280 240 330 236 372 246",
                            "M262 196 C300 182 340 184 372 200", "M206 320 C202 380 204 420 212 458",
                            "M394 320 C398 380 396 420 388 458"], sw=2.6, op=0.8)
        return out
    return []

def _scallop(cx, cy, rx, ry, a0, a1, bumps, amp):
    """Points along an elliptical arc (degrees, y down) joined by outward bumps; returns path commands."""
    cmds = []
    for i in range(bumps):
        t0 = math.radians(a0 + (a1 - a0) * i / bumps)
        t1 = math.radians(a0 + (a1 - a0) * (i + 1) / bumps)
        tm = (t0 + t1) / 2
        x1, y1 = cx + rx * math.cos(t1), cy + ry * math.sin(t1)
        qx, qy = cx + (rx + amp) * math.cos(tm), cy + (ry + amp) * math.sin(tm)
        cmds.append("Q%s %s %s %s" % (n(qx), n(qy), n(x1), n(y1)))
    x0, y0 = cx + rx * math.cos(math.radians(a0)), cy + ry * math.sin(math.radians(a0))
    return "M%s %s " % (n(x0), n(y0)) + " ".join(cmds)


def hair_curls(p, layer):
    """Short soft curls set close to the head (e.g. short white hair)."""
    grad = "url(#%s)" % p.gid("hair")
    if layer == "back":
        d = _scallop(300, 320, 118, 164, 168, 372, 14, 12) + " L410 372 L190 372 Z"
        return [P(d, shade(p.hair_c, 0.9), stroke=OUTLINE, sw=2.5)]
    if layer == "front":
        outer = _scallop(300, 320, 118, 164, 186, 354, 12, 12)
        # back along a gently scalloped hairline, right temple to left temple
        line = [(404, 300), (388, 270), (362, 252), (330, 244), (300, 242), (270, 244), (238, 252), (212, 270), (196, 300)]
        back = " ".join("Q%s %s %s %s" % (n((x0 + x1) / 2), n((y0 + y1) / 2 + 8), n(x1), n(y1))
                        for (x0, y0), (x1, y1) in zip(line, line[1:]))
        d = outer + " L404 300 " + back + " Z"
        out = [P(d, grad, stroke=OUTLINE, sw=2.5)]
        curls = []
        for row in range(5):
            y = 176 + row * 19
            for col in range(-4, 5):
                x = 300 + col * 24 + (12 if row % 2 else 0)
                if ((x - 300) / 104) ** 2 + ((y - 300) / 130) ** 2 < 1 and y < 236 + abs(x - 300) * 0.3:
                    curls.append("M%s %s q5 -7 11 -1" % (n(x - 5), n(y + 3)))
        out.append(P(" ".join(curls), stroke=shade(p.hair_c, 0.72), sw=2.2, op=0.6))
        return out
    return []


def hair_tied_back(p, layer):
    """Hair pulled smoothly back into a low ponytail, a few loose strands."""
    if layer == "back":
        return [P("M192 350 C180 250 220 170 300 166 C380 170 420 250 408 350 Z", p.hair_dk),
                P("M392 330 C430 360 436 430 414 480 C404 488 396 482 398 470 C414 420 408 380 384 352 Z",
                  "url(#%s)" % p.gid("hair"), stroke=OUTLINE, sw=2.5)]
    if layer == "front":
        d = ("M194 340 C182 244 222 170 300 166 C378 170 418 244 406 340 L398 340 C396 300 388 276 374 262 "
             "C350 250 324 248 306 250 C282 248 250 250 226 262 C212 276 204 300 202 340 Z")
        out = [P(d, "url(#%s)" % p.gid("hair"), stroke=OUTLINE, sw=3)]
        out += _strands(p, ["M222 260 C240 220 270 196 306 188", "M260 250 C276 220 300 200 340 192",
                            "M332 250 C346 226 366 214 392 220", "M296 250 C306 222 330 202 370 200"],
                        sw=2.4, op=0.8)
        out.append(P("M212 272 C206 300 206 326 212 350", stroke=p.hair_c, sw=2.4))
        out.append(P("M388 272 C396 296 398 318 394 340", stroke=p.hair_c, sw=2.4))
        return out
    return []


def hair_long(p, layer):
    """Long or shoulder-length hair with a centre or side part."""
    length = p.hair.get("length", 600)  # page y where the hair ends
    part = p.hair.get("part", 300)
    if layer == "behind":
        return [P("M150 %s C140 520 148 400 182 330 L418 330 C452 400 460 520 450 %s C400 %s 200 %s 150 %s Z" % (
            n(length), n(length), n(length + 14), n(length + 14), n(length)),
            "url(#%s)" % p.gid("hair"), stroke=OUTLINE, sw=3)]
    if layer == "back":
        return [P("M184 400 C166 260 210 164 300 160 C390 164 434 260 416 400 Z", p.hair_c)]
    if layer == "front":
        bot = p.hair.get("side", 500)
        d = ("M196 %s C180 420 176 280 196 226 C216 182 256 162 300 162 C344 162 384 182 404 226 C424 280 420 420 404 %s "
             "C396 %s 384 %s 374 %s C386 420 390 330 378 262 C364 236 %s 218 %s 214 C%s 218 236 236 222 262 "
             "C210 330 214 420 226 %s C216 %s 204 %s 196 %s Z") % (
            n(bot), n(bot), n(bot + 8), n(bot + 8), n(bot - 4), n(part + 26), n(part), n(part - 26),
            n(bot - 4), n(bot + 8), n(bot + 8), n(bot))
        out = [P(d, "url(#%s)" % p.gid("hair"), stroke=OUTLINE, sw=3)]
        out.append(P("M%s 216 C%s 200 %s 186 %s 172" % (n(part), n(part - 2), n(part + 2), n(part)),
                     stroke=p.hair_dk, sw=2.4, op=0.9))
        out += _strands(p, ["M%s 222 C250 236 222 280 212 340" % n(part - 8),
                            "M%s 222 C350 236 378 280 388 340" % n(part + 8),
                            "M%s 190 C246 200 206 240 200 300" % n(part - 14),
                            "M%s 190 C354 200 394 240 400 300" % n(part + 14),
                            "M206 360 C202 410 206 450 212 %s" % n(bot - 6),
                            "M394 360 C398 410 394 450 388 %s" % n(bot - 6)], sw=2.4, op=0.75)
        if p.hair.get("grey"):
            out += _strands(p, ["M%s 200 C262 214 232 246 220 300" % n(part - 6),
                                "M%s 200 C338 214 368 246 380 300" % n(part + 6)], color=p.hair["grey"], sw=2.6, op=0.8)
        return out
    return []


def hair_bun(p, layer):
    """Hair drawn back into a bun (at the back of the crown or on top)."""
    on_top = p.hair.get("bun") == "top"
    if layer == "back":
        out = [P("M192 350 C180 250 220 170 300 166 C380 170 420 250 408 350 Z", p.hair_dk)]
        if not on_top:
            out.append(E(300, 176, 52, 38, fill="url(#%s)" % p.gid("hair"), stroke=OUTLINE, sw=3))
            out += _strands(p, ["M262 172 q38 -30 76 0", "M270 188 q30 -20 60 0"], sw=2.2)
        return out
    if layer == "front":
        d = ("M194 340 C182 244 222 172 300 168 C378 172 418 244 406 340 L398 340 C396 300 388 276 374 262 "
             "C350 250 324 246 300 252 C276 246 250 250 226 262 C212 276 204 300 202 340 Z")
        out = [P(d, "url(#%s)" % p.gid("hair"), stroke=OUTLINE, sw=3)]
        out += _strands(p, ["M226 262 C236 224 262 198 300 190", "M374 262 C364 224 338 198 300 190",
                            "M262 252 C270 222 284 204 300 196", "M338 252 C330 222 316 204 300 196"],
                        sw=2.4, op=0.8)
        if on_top:
            out.append(E(304, 150, 44, 34, fill="url(#%s)" % p.gid("hair"), stroke=OUTLINE, sw=3))
            out += _strands(p, ["M272 146 q30 -26 64 -4", "M276 162 q28 -14 56 0", "M286 134 q20 -10 36 0"], sw=2.2)
            out.append(P("M340 150 q14 -4 20 -16", stroke=p.hair_c, sw=2.4))
        if p.hair.get("loose"):
            out.append(P("M214 274 C204 300 204 330 214 352", stroke=p.hair_c, sw=2.4))
            out.append(P("M386 270 C398 296 400 320 392 346", stroke=p.hair_c, sw=2.4))
            out.append(P("M244 256 C232 276 228 296 232 312", stroke=p.hair_c, sw=2.2))
        return out
    return []


def hair_braids(p, layer):
    """Box braids with a centre part, hanging past the shoulders."""
    if layer == "behind":
        out = []
        for x0 in (168, 186, 204, 396, 414, 432):
            out += _braid(p, x0, 330, x0 + (-14 if x0 < 300 else 14), 640, page=True)
        return out
    if layer == "back":
        return [P("M188 380 C170 256 212 160 300 156 C388 160 430 256 412 380 Z", p.hair_dk)]
    if layer == "frame":
        out = []
        for x0, x1 in ((206, 196), (222, 214), (378, 386), (394, 404)):
            out += _braid(p, x0, 290, x1, 560)
        return out
    if layer == "front":
        d = ("M190 340 C178 240 222 162 300 160 C378 162 422 240 410 340 L402 340 C398 300 390 272 376 256 "
             "C352 234 324 222 300 220 C276 222 248 234 224 256 C210 272 202 300 198 340 Z")
        out = [P(d, "url(#%s)" % p.gid("hair"), stroke=OUTLINE, sw=3)]
        out.append(P("M300 220 L300 164", stroke=shade(p.skin, 0.85), sw=2.4, op=0.8))
        rows = []
        for i in range(1, 6):
            rows.append("M300 %s C%s %s %s %s %s %s" % (n(220 - i * 2), n(300 - 30 - i * 8), n(222 - i * 12),
                                                       n(240 - i * 10), n(236 + i * 2), n(222 - i * 4), n(268 + i * 10)))
            rows.append("M300 %s C%s %s %s %s %s %s" % (n(220 - i * 2), n(300 + 30 + i * 8), n(222 - i * 12),
                                                       n(360 + i * 10), n(236 + i * 2), n(378 + i * 4), n(268 + i * 10)))
        out.append(P(" ".join(rows), stroke=p.hair_hi, sw=2.2, op=0.7))
        return out
    return []


def _braid(p, x0, y0, x1, y1, page=False):
    """One box braid from (x0, y0) to (x1, y1): an outlined cord with crossing marks."""
    d = "M%s %s Q%s %s %s %s" % (n(x0), n(y0), n((x0 + x1) / 2 + (3 if x0 < 300 else -3)), n((y0 + y1) / 2),
                                 n(x1), n(y1))
    out = [P(d, stroke=OUTLINE, sw=16), P(d, stroke=p.hair_c, sw=12)]
    marks = []
    steps = int((y1 - y0) / 13)
    for i in range(1, steps):
        t = i / steps
        x = x0 + (x1 - x0) * t
        y = y0 + (y1 - y0) * t
        marks.append("M%s %s l8 -5" % (n(x - 4), n(y + 2)))
    out.append(P(" ".join(marks), stroke=p.hair_hi, sw=2, op=0.7))
    if page:
        out.append(E(x1, y1 + 5, 6, 5, fill=p.hair.get("bead", p.hair_c), stroke=OUTLINE, sw=1.5))
    return out


def hair_wavy(p, layer):
    """Short wavy or straight hair with a soft fringe (teens, young men)."""
    messy = p.hair.get("messy")
    if layer == "back":
        return [P("M190 352 C176 246 218 160 300 156 C382 160 424 246 410 352 Z", p.hair_dk)]
    if layer == "front":
        fr = p.hair.get("fringe", 272)
        d = ("M190 340 C176 236 220 156 302 154 C384 158 426 236 410 340 L402 342 C402 306 396 282 386 266 "
             "C374 276 358 276 348 266 C336 %s 316 %s 300 %s C288 %s 268 %s 258 %s C246 278 228 276 218 266 "
             "C206 284 200 310 198 342 Z") % (n(fr + 4), n(fr + 6), n(fr - 6), n(fr + 4), n(fr + 2), n(fr - 8))
        out = [P(d, "url(#%s)" % p.gid("hair"), stroke=OUTLINE, sw=3)]
        out += _strands(p, ["M230 224 q30 -34 76 -40", "M270 250 q22 -30 70 -34", "M326 246 q26 -18 54 -2",
                            "M250 262 q12 -18 30 -24"], sw=2.6, op=0.8)
        if messy:
            out.append(P("M268 162 q2 -10 12 -14 M318 158 q8 -8 18 -8 M360 176 q8 -6 16 -4",
                         stroke=p.hair_c, sw=4))
            out.append(P("M224 262 q-4 14 2 24 M344 268 q6 12 2 24", stroke=p.hair_c, sw=3))
        return out
    return []


def hair_receding(p, layer):
    """Thinning short hair with a receding hairline (an older man)."""
    if layer == "back":
        return [P("M194 352 C186 280 204 226 236 204 L364 204 C396 226 414 280 406 352 Z", p.hair_dk)]
    if layer == "front":
        out = [P("M194 342 C186 280 200 236 222 214 C226 236 222 262 214 284 C208 300 204 320 202 342 Z",
                 "url(#%s)" % p.gid("hair"), stroke=OUTLINE, sw=2.5),
               P("M406 342 C414 280 400 236 378 214 C374 236 378 262 386 284 C392 300 396 320 398 342 Z",
                 "url(#%s)" % p.gid("hair"), stroke=OUTLINE, sw=2.5),
               P("M236 200 C262 184 338 184 364 200 C346 214 318 210 300 220 C282 210 254 214 236 200 Z",
                 "url(#%s)" % p.gid("hair"), stroke=OUTLINE, sw=2, op=0.85)]
        out += _strands(p, ["M200 320 q2 -40 18 -80", "M400 320 q-2 -40 -18 -80", "M252 198 q48 -12 96 0"], sw=2.2)
        return out
    return []


def hair_afro_short(p, layer):
    """A rounded short natural afro."""
    if layer == "back":
        out = [P("M178 380 C156 250 196 150 300 144 C404 150 444 250 422 380 Z", p.hair_c)]
        for a in range(11):
            t = math.radians(185 + a * 17)
            out.append(E(300 + 128 * math.cos(t), 300 + 150 * math.sin(t), 26, fill=p.hair_c, stroke=OUTLINE, sw=2.5))
        return out
    if layer == "front":
        out = [P("M186 330 C176 220 220 150 300 146 C380 150 424 220 414 330 C404 300 394 278 380 262 "
                 "C350 252 250 252 220 262 C206 278 196 300 186 330 Z", p.hair_c)]
        for i, (x, y) in enumerate([(214, 262), (246, 254), (280, 250), (316, 250), (352, 254), (386, 262),
                                    (232, 208), (270, 190), (310, 186), (350, 196), (380, 220)]):
            out.append(E(x, y, 22, 20, fill=p.hair_c))
            out.append(P("M%s %s q6 -6 12 -2" % (n(x - 8), n(y)), stroke=p.hair_hi, sw=2.2, op=0.7))
        if p.hair.get("grey"):
            out += [E(x, y, 2.4, fill=p.hair["grey"], op=0.85) for x, y in (
                (212, 276), (226, 250), (388, 276), (374, 250), (260, 232), (340, 232), (300, 214), (204, 300), (396, 300))]
        return out
    return []


def hair_cap(p, layer):
    """A baseball cap over short hair (hair shows at the temples); the brim shades the brow."""
    cap = p.hair.get("cap", "#2f4a6e")
    if layer == "back":
        return [P("M194 350 C186 270 214 214 250 200 L350 200 C386 214 414 270 406 350 Z", p.hair_dk)]
    if layer == "front":
        return [
            P("M196 342 C192 312 196 290 204 272 L222 272 C214 294 208 318 206 342 Z", "url(#%s)" % p.gid("hair"),
              stroke=OUTLINE, sw=2),
            P("M404 342 C408 312 404 290 396 272 L378 272 C386 294 392 318 394 342 Z", "url(#%s)" % p.gid("hair"),
              stroke=OUTLINE, sw=2),
            P("M190 272 C184 190 232 146 300 144 C368 146 416 190 410 272 Z", cap, stroke=OUTLINE, sw=3),
            P("M300 146 L300 262 M246 158 C234 192 230 226 232 262 M354 158 C366 192 370 226 368 262",
              stroke=shade(cap, 0.7), sw=2.2),
            P("M262 156 C286 150 314 150 338 156 C332 186 332 224 336 262 L264 262 C268 224 268 186 262 156 Z",
              mix(cap, "#ffffff", 0.12), op=0.6),
            E(300, 147, 9, 5, fill=shade(cap, 0.8), stroke=OUTLINE, sw=1.6),
            P("M208 296 C250 290 350 290 392 296 L392 310 C350 302 250 302 208 310 Z", shade(p.skin, 0.6), op=0.3),
            P("M180 268 C230 252 370 252 420 268 C432 284 420 300 392 300 C350 304 250 304 208 300 "
              "C180 300 168 284 180 268 Z", shade(cap, 0.9), stroke=OUTLINE, sw=3),
            P("M190 272 C236 258 364 258 410 272", stroke=mix(cap, "#ffffff", 0.3), sw=2.4, op=0.7),
            P("M204 292 C250 296 350 296 396 292", stroke=shade(cap, 0.6), sw=2, op=0.7),
        ]
    return []


def hair_dastar(p, layer):
    """A dastar (Sikh turban): smooth layered folds meeting in a peak over the forehead."""
    t = p.hair.get("turban", "#1f2d52")
    tl, td = mix(t, "#ffffff", 0.18), shade(t, 0.7)
    if layer == "back":
        return [P("M186 356 C176 250 214 164 300 152 C386 164 424 250 414 356 Z", td, stroke=OUTLINE, sw=3)]
    if layer == "front":
        outer = ("M186 338 C172 250 194 150 300 140 C406 150 428 250 414 338 C406 338 398 330 392 318 "
                 "C366 286 336 268 300 252 C264 268 234 286 208 318 C202 330 194 338 186 338 Z")
        out = [P(outer, t, stroke=OUTLINE, sw=3)]
        folds = []
        for i, y in enumerate((226, 200, 176)):
            folds.append("M%s %s C%s %s %s %s 300 %s" % (n(194 + i * 5), n(y + 82), n(222 + i * 6), n(y + 34),
                                                         n(262), n(y + 10), n(y - 4)))
            folds.append("M%s %s C%s %s %s %s 300 %s" % (n(406 - i * 5), n(y + 82), n(378 - i * 6), n(y + 34),
                                                         n(338), n(y + 10), n(y - 4)))
        out.append(P(" ".join(folds), stroke=td, sw=3))
        out.append(P(" ".join(folds), stroke=tl, sw=1.4, op=0.5, extra='transform="matrix(1 0 0 1 0 4)"'))
        out.append(P("M300 252 L300 144", stroke=td, sw=2.4, op=0.8))
        out.append(P("M212 312 C240 282 270 266 300 256 C330 266 360 282 388 312", stroke=tl, sw=2.2, op=0.6))
        out.append(P("M236 160 C262 148 338 148 364 160", stroke=tl, sw=3, op=0.35))
        return out
    return []


def hair_hijab(p, layer):
    """A hijab framing the face, covering hair, ears and neck; patterned."""
    c = p.hair.get("scarf", "#6c3b5c")
    pat = p.hair.get("pattern", "#e8c27a")
    under = p.hair.get("undercap", shade(c, 0.7))
    outer = ("M174 360 C164 240 212 144 300 140 C388 144 436 240 426 360 C430 450 412 530 380 566 "
             "L220 566 C188 530 170 450 174 360 Z")
    hole = ("M300 226 C354 226 394 268 398 340 C402 410 380 468 344 506 C326 522 312 528 300 528 "
            "C288 528 274 522 256 506 C220 468 198 410 202 340 C206 268 246 226 300 226 Z")
    if layer == "back":
        return [P(outer, shade(c, 0.85), stroke=OUTLINE, sw=3)]
    if layer == "frame":
        out = [P(outer + " " + hole, c, stroke=OUTLINE, sw=3, extra='fill-rule="evenodd"')]
        out.append(P(hole, stroke=under, sw=7))
        out.append(P("M204 330 C210 266 250 230 300 230 C350 230 390 266 396 330", stroke=under, sw=9))
        dots = []
        for row in range(0, 14):
            y = 160 + row * 30
            for col in range(-5, 6):
                x = 300 + col * 34 + (17 if row % 2 else 0)
                # inside the outer shape, outside the face opening
                inside_face = ((x - 300) / 108) ** 2 + ((y - 372) / 160) ** 2 < 1
                in_outer = ((x - 300) / 118) ** 2 + ((y - 340) / 200) ** 2 < 1 and y < 556
                if in_outer and not inside_face:
                    dots.append("M%s %s l6 -6 l6 6 l-6 6 Z" % (n(x - 6), n(y)))
        out.append(P(" ".join(dots), pat, op=0.75))
        out.append(P("M230 540 C260 520 340 520 370 540 M200 470 C220 520 250 546 290 556 M400 470 C380 520 350 546 310 556",
                     stroke=shade(c, 0.75), sw=2.4, op=0.8))
        return out
    return []


HAIR = {
    "short": hair_short, "coily_short": hair_coily_short, "bald": hair_bald, "bob": hair_bob,
    "curls": hair_curls, "tied_back": hair_tied_back, "long": hair_long, "bun": hair_bun,
    "braids": hair_braids, "wavy": hair_wavy, "receding": hair_receding, "afro_short": hair_afro_short,
    "cap": hair_cap, "dastar": hair_dastar, "hijab": hair_hijab,
}


# --------------------------------------------------------------------------
# Beards
# --------------------------------------------------------------------------

def _mouth_hole(p):
    """An opening in a beard around the lips, sized for the expression's mouth."""
    if p.expr in ("angry", "distressed"):
        cx, cy, rx, ry = 300, 466, 46, 36
    elif p.expr == "upset":
        cx, cy, rx, ry = 300, 460, 40, 18
    else:
        cx, cy, rx, ry = 300, 454, 42, 18
    k = 0.5523
    return ("M%s %s C%s %s %s %s %s %s C%s %s %s %s %s %s C%s %s %s %s %s %s C%s %s %s %s %s %s Z") % tuple(n(v) for v in (
        cx - rx, cy, cx - rx, cy - ry * k, cx - rx * k, cy - ry, cx, cy - ry,
        cx + rx * k, cy - ry, cx + rx, cy - ry * k, cx + rx, cy,
        cx + rx, cy + ry * k, cx + rx * k, cy + ry, cx, cy + ry,
        cx - rx * k, cy + ry, cx - rx, cy + ry * k, cx - rx, cy))


def beard_full(p, layer):
    """A full beard joining the sideburns, with a moustache."""
    bc = p.s["beard"].get("color", p.hair_c)
    c = p.chin + p.open_jaw()
    if layer == "chin":
        d = ("M194 330 C192 420 214 %s 300 %s C386 %s 408 420 406 330 C400 372 394 404 372 430 "
             "C356 420 332 414 300 416 C268 414 244 420 228 430 C206 404 200 372 194 330 Z") % (
            n(c + 6), n(c + 40), n(c + 6))
        out = [P(d + " " + _mouth_hole(p), "url(#%s)" % p.gid("beard"), stroke=shade(bc, 0.7), sw=2,
                 extra='fill-rule="evenodd"')]
        marks = []
        for i in range(12):
            x = 220 + i * 14.5
            y = 470 + (12 if 3 < i < 8 else 0) + (c - 512) * 0.5
            marks.append("M%s %s l2 12" % (n(x), n(y)))
        marks.append("M206 380 l2 14 M394 380 l-2 14 M214 420 l2 12 M386 420 l-2 12")
        out.append(P(" ".join(marks), stroke=mix(bc, "#ffffff", 0.2), sw=2, op=0.5))
        return out
    return [P("M258 441 C272 421 290 421 300 425 C310 421 328 421 342 441 C324 434 310 432 300 433 "
              "C290 432 276 434 258 441 Z", bc, stroke=shade(bc, 0.7), sw=2)]


def beard_short(p, layer):
    """A short, neat beard and moustache."""
    bc = p.s["beard"].get("color", p.hair_c)
    c = p.chin + p.open_jaw()
    if layer == "chin":
        d = ("M198 360 C198 430 228 %s 300 %s C372 %s 402 430 402 360 C398 396 388 420 368 440 "
             "C352 430 332 426 300 428 C268 426 248 430 232 440 C212 420 202 396 198 360 Z") % (
            n(c - 10), n(c + 10), n(c - 10))
        return [P(d + " " + _mouth_hole(p), "url(#%s)" % p.gid("beard"), stroke=shade(bc, 0.7), sw=1.6,
                  op=0.92, extra='fill-rule="evenodd"')]
    return [P("M264 441 C276 427 290 427 300 430 C310 427 324 427 336 441 C322 436 310 435 300 436 "
              "C290 435 278 436 264 441 Z", bc, stroke=shade(bc, 0.7), sw=1.6)]


def beard_stubble(p, layer):
    """A few days' stubble: a soft shadow over the jaw and upper lip."""
    bc = p.s["beard"].get("color", p.hair_c)
    c = p.chin + p.open_jaw()
    if layer == "chin":
        d = ("M200 380 C204 440 236 %s 300 %s C364 %s 396 440 400 380 C392 412 378 432 360 446 "
             "C340 436 320 432 300 434 C280 432 260 436 240 446 C222 432 208 412 200 380 Z") % (
            n(c - 8), n(c), n(c - 8))
        dots = " ".join("M%s %s l0.5 2" % (n(x), n(y)) for x in range(214, 390, 9) for y in range(452, int(c) - 6, 10)
                        if ((x - 300) / 92) ** 2 + ((y - 430) / (c - 430)) ** 2 < 1)
        return [P(d, bc, op=0.22), P(dots, stroke=bc, sw=1.6, op=0.35)]
    return [P("M266 432 C280 424 292 426 300 428 C308 426 320 424 334 432 C320 432 310 434 300 435 "
              "C290 434 280 432 266 432 Z", bc, op=0.28)]


def beard_moustache(p, layer):
    """A moustache alone (with an optional short chin beard)."""
    bc = p.s["beard"].get("color", p.hair_c)
    if layer == "chin":
        if p.s["beard"].get("goatee"):
            c = p.chin + p.open_jaw()
            return [P("M266 478 C270 %s 286 %s 300 %s C314 %s 330 %s 334 478 C320 486 280 486 266 478 Z" % (
                n(c - 8), n(c + 2), n(c + 4), n(c + 2), n(c - 8)), bc, stroke=shade(bc, 0.7), sw=1.6, op=0.9)]
        return []
    return [P("M260 442 C272 424 290 424 300 428 C310 424 328 424 340 442 C324 436 310 435 300 436 "
              "C290 435 276 436 260 442 Z", bc, stroke=shade(bc, 0.7), sw=2)]


BEARD = {"full": beard_full, "short": beard_short, "stubble": beard_stubble, "moustache": beard_moustache}


# --------------------------------------------------------------------------
# Glasses, phone
# --------------------------------------------------------------------------

def glasses_on_face(p):
    """Glasses worn over the eyes (drawn before the brows)."""
    g = p.s["glasses"]
    fc = g.get("color", "#5a4636")
    out = []
    for cx in (252, 348):
        out.append(R(cx - 38, 326, 76, 52, rx=16, fill="#dbe9f2", stroke=fc, sw=4, op=None,
                     extra='fill-opacity="0.12"'))
        out.append(P("M%s 334 l16 0" % n(cx - 24), stroke="#ffffff", sw=3, op=0.6))
    out.append(P("M290 346 Q300 338 310 346", stroke=fc, sw=4))
    out.append(P("M214 346 L%s 352 M386 346 L%s 352" % (n(300 - p.w - 2), n(300 + p.w + 2)), stroke=fc, sw=4))
    return out


def glasses_on_head(p):
    """Reading glasses pushed up on top of the head (like ruth-lindqvist's)."""
    g = p.s["glasses"]
    fc = g.get("color", "#6a4636")
    y = g.get("y", 192)
    w, h = g.get("w", 62), g.get("h", 34)
    return [
        P("M214 %s C216 %s 230 %s 248 %s" % (n(y + 44), n(y + 30), n(y + 22), n(y + 22)), stroke=fc, sw=4),
        P("M386 %s C384 %s 370 %s 352 %s" % (n(y + 44), n(y + 30), n(y + 22), n(y + 22)), stroke=fc, sw=4),
        R(297 - w, y, w, h, rx=10, fill="#d8e8ef", stroke=fc, sw=4.5),
        P("M%s %s l14 0" % (n(308 - w), n(y + 8)), stroke="#ffffff", sw=3, op=0.8),
        R(303, y, w, h, rx=10, fill="#d8e8ef", stroke=fc, sw=4.5),
        P("M314 %s l14 0" % n(y + 8), stroke="#ffffff", sw=3, op=0.8),
        P("M297 %s Q300 %s 303 %s" % (n(y + h / 2 - 1), n(y + h / 2 - 8), n(y + h / 2 - 1)), stroke=fc, sw=4.5),
    ]


def phone_card(p):
    """The phone-call card behind a voice heard only on the phone (as daniel-tran)."""
    return [
        R(40, 40, 520, 820, rx=40, fill="url(#%s)" % p.gid("card"), stroke="#8a9aae", sw=3),
        R(52, 52, 496, 820, rx=30, stroke="#4d5b6d", sw=1.5, op=0.8),
        glow(p.gid("glow"), 250, 300, 300, 380),
        R(262, 58, 76, 8, rx=4, fill="#1c232c", stroke="#56657a", sw=1.2),
        '<circle cx="474" cy="112" r="30" fill="#2f6f55" stroke="#8fd6b0" stroke-width="2.5"/>',
        P("M10 4 L20 4 Q23 4 23 7 L23 14 Q23 17 20 17 L17 17 Q14.5 24 17 31 L20 31 Q23 31 23 34 L23 41 Q23 44 20 44 "
          "L10 44 Q3 44 3 35 L3 13 Q3 4 10 4 Z", "#e9f6ee", stroke="#1c3f31", sw=1.5,
          extra='transform="matrix(0.7071 -0.7071 0.7071 0.7071 447.8373 104.2219)"'),
        P("M487.9 70.52 A34 34 0 0 1 515.48 98.1", stroke="#8fd6b0", sw=4),
        P("M489.47 61.65 A43 43 0 0 1 524.35 96.53", stroke="#8fd6b0", sw=4, op=0.75),
        P("M491.03 52.79 A52 52 0 0 1 533.21 94.97", stroke="#8fd6b0", sw=4, op=0.5),
    ]


def _mirror(p):
    """Transform attribute that mirrors a phone hand to the right side when asked."""
    return p.s.get("phone_side", "left") == "right"


def phone_arm(p):
    """The forearm and sleeve reaching up to the phone (page coordinates)."""
    sleeve = p.s.get("clothes", {}).get("sleeve", None)
    out = [
        P("M104 800 C108 700 147.12 570.24 161.12 480.24 L203.68 489.2 C205.68 579.2 180 700 186 800 Z",
          p.skin, stroke=p.skin_line, sw=2.5),
        P("M197.68 509.2 C199.68 589.2 170 720 176 800", stroke=p.skin_shade, sw=8, op=0.5),
        P("M96 800 L100 760 Q144 752 188 764 L194 800 Z", sleeve or "url(#%s)" % p.gid("cloth"), stroke=OUTLINE, sw=2.5),
    ]
    if _mirror(p):
        return ['<g transform="matrix(-1 0 0 1 600 0)">'] + out + ["</g>"]
    return out


def phone_hand(p):
    """The phone held to the ear and the hand around it (head coordinates)."""
    t = 'transform="matrix(0.9659 -0.2588 0.2588 0.9659 194 372)"'
    pc = p.s.get("phone_color")
    out = [
        R(-18, -70, 36, 140, rx=9, fill=pc or "url(#%s)" % p.gid("phone"), stroke="#0f1114", sw=2.5, extra=t),
        P("M-10 -60 L-10 -10", stroke="#8a95a3", sw=3, op=0.7, extra=t),
        E(4, -52, 4, fill="#59616d", extra=t),
        P("M170 472 C166 444 166 412 174 394 C180 384 192 380 204 384 L221 386 C232 388 232 403 222 404 L226 405 "
          "C237 407 237 421 226 422 L226 423 C236 425 236 439 225 440 L220 441 C229 443 229 456 218 456 "
          "C216 462 216 468 216 474 Z", p.skin, stroke=p.skin_line, sw=2.5),
        P("M205 404 L222 404 M207 422 L226 422 M207 440 L225 440", stroke=p.skin_line, sw=2, op=0.8),
        P("M204 386 C199 408 199 432 205 455", stroke=p.skin_shade, sw=3, op=0.7),
        P("M178 440 C180 454 184 464 190 470", stroke=p.skin_shade, sw=4, op=0.6),
    ]
    if p.s.get("ring"):
        out.append(P("M206 424 L224 424", stroke=p.s["ring"], sw=3))
    if _mirror(p):
        return ['<g transform="matrix(-1 0 0 1 600 0)">'] + out + ["</g>"]
    return out


# --------------------------------------------------------------------------
# Lettering without <text>: a tiny stroke font for patches
# --------------------------------------------------------------------------

GLYPHS = {  # 4 wide, 6 high, polylines separated by '|'
    "S": "4,1 3,0 1,0 0,1 0,2 1,3 3,3 4,4 4,5 3,6 1,6 0,5",
    "E": "4,0 0,0 0,6 4,6|0,3 3,3",
    "C": "4,1 3,0 1,0 0,1 0,5 1,6 3,6 4,5",
    "U": "0,0 0,5 1,6 3,6 4,5 4,0",
    "R": "0,6 0,0 3,0 4,1 4,2 3,3 0,3|2,3 4,6",
    "I": "1,0 3,0|2,0 2,6|1,6 3,6",
    "T": "0,0 4,0|2,0 2,6",
    "Y": "0,0 2,3 4,0|2,3 2,6",
}


def lettering(word, x, y, size, color, sw=2.2):
    """Draw capital letters as strokes (nanosvg has no <text>)."""
    k = size / 6.0
    segs = []
    for i, ch in enumerate(word):
        ox = x + i * 5.6 * k
        for poly in GLYPHS[ch].split("|"):
            pts = [tuple(float(v) for v in pt.split(",")) for pt in poly.split()]
            segs.append("M" + " L".join("%s %s" % (n(ox + px * k), n(y + py * k)) for px, py in pts))
    return P(" ".join(segs), stroke=color, sw=sw)


# --------------------------------------------------------------------------
# Clothing.  Each style is called for 'back' (behind the neck), 'body' and
# 'over' (drawn after the head: straps and things that lie over the hair).
# --------------------------------------------------------------------------

OUT_L = "M0 800 L0 720 C10 680 40 660 90 648 C150 634 200 618 236 598"
OUT_R = "C400 618 450 634 510 648 C560 660 590 680 600 720 L600 800 Z"
NECK_HIGH = " C256 588 276 584 300 584 C324 584 344 588 364 598 "
NECK_CREW = " C246 592 254 588 256 588 Q300 626 344 588 C346 588 354 592 364 598 "
NECK_SCOOP = " C244 594 248 592 252 591 Q300 668 348 591 C352 592 356 594 364 598 "
FOLDS = "M96 648 C110 700 116 750 114 800 M504 648 C490 700 484 750 486 800"


def _cl(p):
    """The clothes spec with its main colours."""
    c = p.s.get("clothes", {})
    col = c.get("color", "#6a7482")
    return c, col, "url(#%s)" % p.gid("cloth")


_SHOULDER = [(0, 720), (10, 690), (40, 667), (90, 648), (150, 634), (200, 618), (236, 598), (270, 587), (300, 584)]


def _shoulder_y(x):
    """The y of the shoulder outline above page x (so patterns stay on the cloth)."""
    x = x if x <= 300 else 600 - x
    for (x0, y0), (x1, y1) in zip(_SHOULDER, _SHOULDER[1:]):
        if x0 <= x <= x1:
            return y0 + (y1 - y0) * (x - x0) / (x1 - x0)
    return 720


def _shoulder_x(y):
    """The left x where the shoulder outline reaches page y."""
    for (x0, y0), (x1, y1) in zip(_SHOULDER, _SHOULDER[1:]):
        if y1 <= y <= y0:
            return x0 + (x1 - x0) * (y0 - y) / (y0 - y1)
    return 0


def clothes_tshirt(p, layer):
    """A crew-neck t-shirt."""
    c, col, grad = _cl(p)
    if layer != "body":
        return []
    return [
        P(OUT_L + NECK_CREW + OUT_R, grad, stroke=OUTLINE, sw=3),
        P("M257 592 Q300 632 343 592", stroke=shade(col, 0.78), sw=8),
        P("M257 592 Q300 632 343 592", stroke=mix(col, "#ffffff", 0.15), sw=2.5),
        P(FOLDS, stroke=shade(col, 0.75), sw=2.2),
        P("M60 700 C70 730 72 770 70 800 M540 700 C530 730 528 770 530 800", stroke=shade(col, 0.8), sw=2, op=0.7),
    ]


def _collar_shirt(p, col, collar=None, placket=True):
    """A collared button shirt (body, collar points, placket, buttons)."""
    collar = collar or mix(col, "#ffffff", 0.08)
    out = [
        P(OUT_L + NECK_HIGH + OUT_R, "url(#%s)" % p.gid("cloth"), stroke=OUTLINE, sw=3),
        P("M262 600 Q300 622 338 600 L300 660 Z", p.skin_shade),
        P("M252 588 C242 598 232 604 220 608 L260 668 L296 630 Z", collar, stroke=OUTLINE, sw=2.5),
        P("M348 588 C358 598 368 604 380 608 L340 668 L304 630 Z", collar, stroke=OUTLINE, sw=2.5),
    ]
    if placket:
        out += [P("M300 660 L300 800", stroke=shade(col, 0.72), sw=2.5),
                E(306, 696, 4.5, fill=mix(col, "#ffffff", 0.5), stroke=shade(col, 0.6), sw=1.5),
                E(306, 760, 4.5, fill=mix(col, "#ffffff", 0.5), stroke=shade(col, 0.6), sw=1.5)]
    return out


def clothes_work_shirt(p, layer):
    """A work shirt with collar, pockets and an oval name patch (no readable name)."""
    c, col, grad = _cl(p)
    if layer != "body":
        return []
    out = _collar_shirt(p, col)
    for x in (150, 366):
        out.append(R(x, 690, 84, 100, rx=6, fill=shade(col, 0.92), stroke=shade(col, 0.65), sw=2))
        out.append(P("M%s 690 L%s 690 L%s 714 L%s 720 L%s 714 Z" % (n(x - 2), n(x + 86), n(x + 86), n(x + 42), n(x - 2)),
                     mix(col, "#ffffff", 0.06), stroke=shade(col, 0.65), sw=2))
    out.append(E(408, 660, 38, 16, fill="#f2efe6", stroke=c.get("patch_edge", "#b23a3a"), sw=3))
    out.append(P("M386 660 q6 -8 10 0 q4 8 8 0 q4 -8 8 0 q4 6 8 -2 M420 656 l8 0",
                 stroke="#3a3f5a", sw=2.2))
    out.append(P(FOLDS, stroke=shade(col, 0.7), sw=2.2))
    return out


def clothes_security(p, layer):
    """A grey security-guard shirt: collar, epaulettes, 'SECURITY' lettering; no badge."""
    c, col, grad = _cl(p)
    if layer != "body":
        return []
    out = _collar_shirt(p, col)
    out += [
        P("M232 598 L108 640 L112 656 L238 616 Z", shade(col, 0.85), stroke=OUTLINE, sw=2),
        P("M368 598 L492 640 L488 656 L362 616 Z", shade(col, 0.85), stroke=OUTLINE, sw=2),
        R(356, 676, 120, 34, rx=5, fill="#1f2226", stroke="#0f1012", sw=2),
        lettering("SECURITY", 365, 686, 14, "#f1f1ea", sw=2.2),
        R(150, 700, 84, 96, rx=6, fill=shade(col, 0.93), stroke=shade(col, 0.65), sw=2),
        P("M148 700 L236 700 L236 722 L192 728 L148 722 Z", mix(col, "#ffffff", 0.05), stroke=shade(col, 0.65), sw=2),
        P("M200 730 L204 790", stroke="#2a2d33", sw=3),
        P(FOLDS, stroke=shade(col, 0.7), sw=2.2),
    ]
    return out


def clothes_flannel(p, layer):
    """A flannel shirt with a plaid of darker bands and thin light lines."""
    c, col, grad = _cl(p)
    if layer != "body":
        return []
    out = _collar_shirt(p, col)
    dark, light = shade(col, 0.6), c.get("check", "#e8d9b0")
    bands, thin, rows, thin_r = [], [], [], []
    for x in range(30, 600, 70):
        bands.append("M%s %s L%s 800" % (n(x), n(_shoulder_y(x) + 4), n(x)))
        thin.append("M%s %s L%s 800" % (n(x + 22), n(_shoulder_y(x + 22) + 4), n(x + 22)))
    for y in range(650, 800, 60):
        for yy, lst in ((y, rows), (y + 20, thin_r)):
            x0 = _shoulder_x(yy)
            lst.append("M%s %s L%s %s" % (n(x0 + 4), n(yy), n(596 - x0), n(yy)))
    plaid = [P(" ".join(bands), stroke=dark, sw=16, op=0.35, round_caps=False),
             P(" ".join(rows), stroke=dark, sw=16, op=0.35, round_caps=False),
             P(" ".join(thin), stroke=light, sw=2, op=0.45, round_caps=False),
             P(" ".join(thin_r), stroke=light, sw=2, op=0.45, round_caps=False)]
    out = out[:1] + plaid + out[1:]
    out.append(P(FOLDS, stroke=shade(col, 0.6), sw=2.2))
    return out


def clothes_fleece(p, layer):
    """An open zip fleece over a light collared shirt, with an optional strap across the shirt."""
    c, col, grad = _cl(p)
    under = c.get("under", "#e6ebef")
    if layer != "body":
        return []
    out = [
        P(OUT_L + NECK_HIGH + OUT_R, "url(#%s)" % p.gid("top"), stroke=OUTLINE, sw=3),
        P("M262 600 Q300 622 338 600 L300 656 Z", p.skin_shade),
        P("M254 588 C244 598 236 604 226 608 L262 664 L296 628 Z", under, stroke=OUTLINE, sw=2.5),
        P("M346 588 C356 598 364 604 374 608 L338 664 L304 628 Z", under, stroke=OUTLINE, sw=2.5),
        P("M300 656 L300 800", stroke=shade(under, 0.75), sw=2),
    ]
    strap = c.get("strap")
    if strap:
        out.append(P("M318 630 L368 630 L200 800 L146 800 Z", strap, stroke="#000000", sw=1.5))
        out.append(P("M352 634 L182 800", stroke=mix(strap, "#ffffff", 0.25), sw=1.6, op=0.6))
        out.append(R(250, 708, 20, 16, rx=3, fill="#8d8f94", stroke="#3a3b3f", sw=1.5,
                     extra='transform="rotate(-42 260 716)"'))
    out += [
        P("M0 800 L0 720 C10 680 40 660 90 648 C150 634 200 618 236 598 C240 596 244 594 248 592 "
          "C240 640 244 720 256 800 Z", grad, stroke=OUTLINE, sw=3),
        P("M600 800 L600 720 C590 680 560 660 510 648 C450 634 400 618 364 598 C360 596 356 594 352 592 "
          "C360 640 356 720 344 800 Z", grad, stroke=OUTLINE, sw=3),
        P("M214 602 C222 586 238 574 256 570 L262 592 C250 608 244 640 240 668 C224 650 214 628 214 602 Z",
          mix(col, "#ffffff", 0.06), stroke=OUTLINE, sw=2.5),
        P("M386 602 C378 586 362 574 344 570 L338 592 C350 608 356 640 360 668 C376 650 386 628 386 602 Z",
          mix(col, "#ffffff", 0.06), stroke=OUTLINE, sw=2.5),
        P("M249 640 C244 700 248 760 256 800 M351 640 C356 700 352 760 344 800", stroke=shade(col, 0.5), sw=3),
        P("M243 640 C238 700 242 760 250 800 M357 640 C362 700 358 760 350 800", stroke="#a9adb3", sw=1.5, op=0.7),
        P(FOLDS, stroke=shade(col, 0.75), sw=2.2),
        P("M140 690 q20 6 40 0 M420 690 q20 6 40 0", stroke=shade(col, 0.8), sw=2, op=0.6),
    ]
    return out


def clothes_cardigan(p, layer):
    """A cardigan over a scoop-neck top (the ruth-lindqvist style)."""
    c, col, grad = _cl(p)
    if layer != "body":
        return []
    trim = mix(col, "#ffffff", 0.12)
    btn = c.get("buttons", "#e9dfcf")
    return [
        P("M250 596 Q300 676 350 596 Z", p.skin),
        P("M250 596 Q300 676 350 596", stroke=p.skin_line, sw=2),
        P("M0 800 L0 720 C10 680 40 660 90 648 C150 634 200 618 236 598" + NECK_SCOOP.replace("668", "668") + OUT_R,
          "url(#%s)" % p.gid("top"), stroke=OUTLINE, sw=3),
        P("M258 604 Q300 666 342 604", stroke=shade(c.get("under", "#e9e4da"), 0.9), sw=4),
        P("M0 800 L0 720 C10 680 40 660 90 648 C150 634 200 618 236 598 C240 596 243 594 246 593 "
          "C254 650 270 720 284 800 Z", grad, stroke=OUTLINE, sw=3),
        P("M600 800 L600 720 C590 680 560 660 510 648 C450 634 400 618 364 598 C360 596 357 594 354 593 "
          "C346 650 330 720 316 800 Z", grad, stroke=OUTLINE, sw=3),
        P("M246 600 C254 650 270 720 284 800", stroke=trim, sw=14),
        P("M354 600 C346 650 330 720 316 800", stroke=trim, sw=14),
        P("M239 602 C247 652 262 722 276 800", stroke=shade(col, 0.7), sw=1.5),
        E(336.9, 690, 6.5, fill=btn, stroke=shade(col, 0.55), sw=1.5),
        E(323.6, 760, 6.5, fill=btn, stroke=shade(col, 0.55), sw=1.5),
        P("M150 690 l-4 110 M190 690 l-4 110 M410 690 l4 110 M450 690 l4 110", stroke=shade(col, 0.8), sw=2, op=0.5),
        P(FOLDS, stroke=shade(col, 0.75), sw=2.2),
    ]


def clothes_glasses_cord(p, layer):
    """A cardigan with reading glasses hanging on a cord."""
    out = clothes_cardigan(p, layer)
    if layer == "body":
        fc = p.s.get("glasses", {}).get("color", "#7a5a3a")
        cord = p.s.get("glasses", {}).get("cord", "#c9a35a")
        out += [
            P("M256 598 C258 640 224 690 230 712 M344 598 C342 640 376 690 370 712", stroke=cord, sw=2.2),
            R(226, 704, 66, 42, rx=13, fill="#dbe9f2", stroke=fc, sw=5,
              extra='fill-opacity="0.3" transform="rotate(6 259 725)"'),
            R(308, 704, 66, 42, rx=13, fill="#dbe9f2", stroke=fc, sw=5,
              extra='fill-opacity="0.3" transform="rotate(-6 341 725)"'),
            P("M290 716 Q300 706 310 716", stroke=fc, sw=4.5),
            P("M240 714 l16 0 M322 714 l16 0", stroke="#ffffff", sw=3, op=0.8),
        ]
    return out


def clothes_hoodie(p, layer):
    """A hoodie with the hood bunched behind the neck and drawstrings (leo-lindqvist style)."""
    c, col, grad = _cl(p)
    if layer == "back":
        out = [P("M170 640 C172 560 236 522 300 522 C364 522 428 560 430 640 Z", shade(col, 0.9), stroke=OUTLINE, sw=3)]
        if c.get("headphones"):
            out.append(P("M200 620 C196 560 240 536 300 534 C360 536 404 560 400 620", stroke=c["headphones"], sw=12))
            out.append(P("M200 620 C196 560 240 536 300 534 C360 536 404 560 400 620", stroke=OUTLINE, sw=2, op=0.6))
        return out
    if layer != "body":
        return []
    string = c.get("strings", "#ece7dc")
    out = [
        P(OUT_L + NECK_HIGH + OUT_R, grad, stroke=OUTLINE, sw=3),
        P("M222 604 C236 650 272 676 300 680 C328 676 364 650 378 604 C360 596 344 594 330 600 Q300 628 270 600 "
          "C256 594 240 596 222 604 Z", shade(col, 0.9), stroke=OUTLINE, sw=3),
        P("M240 604 C252 640 278 660 300 662 C322 660 348 640 360 604 Q300 640 240 604 Z", shade(col, 0.74)),
    ]
    if not c.get("no_strings"):
        out += [P("M284 664 C284 700 276 730 276 752", stroke=string, sw=5),
                R(272, 748, 8, 18, rx=3, fill=shade(string, 0.78)),
                P("M316 664 C316 700 324 730 324 752", stroke=string, sw=5),
                R(320, 748, 8, 18, rx=3, fill=shade(string, 0.78))]
    out.append(P(FOLDS, stroke=shade(col, 0.78), sw=2.2))
    if c.get("headphones"):
        hp = c["headphones"]
        for cx, rot in ((198, -14), (402, 14)):
            tr = 'transform="rotate(%s %s 640)"' % (rot, cx)
            out += [
                E(cx, 640, 34, 44, fill=hp, stroke=OUTLINE, sw=3, extra=tr),
                E(cx + (8 if cx < 300 else -8), 640, 20, 32, fill=shade(hp, 0.55), extra=tr),
                E(cx - (10 if cx < 300 else -10), 626, 8, 14, fill="#ffffff", op=0.18, extra=tr),
            ]
    return out


def clothes_police(p, layer):
    """A police uniform shirt like sam-reyes's: collar, epaulettes, badge, name bar, radio."""
    c, col, grad = _cl(p)
    if layer != "body":
        return []
    return [
        P(OUT_L + NECK_HIGH + OUT_R, grad, stroke=OUTLINE, sw=3),
        P("M256 598 Q300 612 344 598 L322 646 Q300 656 278 646 Z", "#15192a"),
        P("M266 604 Q300 628 334 604", stroke="#2a3150", sw=3),
        P("M252 590 C240 600 226 608 214 612 L258 676 L290 640 Z", col, stroke=OUTLINE, sw=3),
        P("M348 590 C360 600 374 608 386 612 L342 676 L310 640 Z", col, stroke=OUTLINE, sw=3),
        P("M300 650 L300 800", stroke="#192338", sw=3),
        P("M312 650 L312 800", stroke="#505b73", sw=1.5, op=0.6),
        E(306, 700, 5, fill="#2b3650", stroke="#0f1422", sw=1.5),
        E(306, 770, 5, fill="#2b3650", stroke="#0f1422", sw=1.5),
        P("M232 598 L96 644 L102 664 L240 618 Z", "#1d2840", stroke=OUTLINE, sw=2.5),
        P("M368 598 L504 644 L498 664 L360 618 Z", "#1d2840", stroke=OUTLINE, sw=2.5),
        E(222, 612, 5, fill="#3a4666", stroke="#0f1422", sw=1.2),
        E(378, 612, 5, fill="#3a4666", stroke="#0f1422", sw=1.2),
        R(134, 634, 30, 44, rx=8, fill="#23252b", stroke="#0d0e12", sw=2),
        P("M140 646 l18 0 M140 654 l18 0 M140 662 l18 0", stroke="#4a4d55", sw=2),
        P("M149 678 C150 700 160 730 170 800", stroke="#1a1b20", sw=4),
        R(160, 712, 88, 90, rx=6, fill="#212e4a", stroke="#172034", sw=2),
        P("M158 712 L250 712 L250 736 L204 744 L158 736 Z", "#3a4762", stroke="#161e30", sw=2),
        E(204, 734, 4, fill="#2b3650"),
        R(356, 712, 88, 90, rx=6, fill="#212e4a", stroke="#172034", sw=2),
        P("M354 712 L446 712 L446 736 L400 744 L354 736 Z", "#3a4762", stroke="#161e30", sw=2),
        E(400, 734, 4, fill="#2b3650"),
        P("M400 634 L416 640 L424 650 C424 672 416 686 400 694 C384 686 376 672 376 650 L384 640 Z",
          "url(#%s)" % p.gid("badge"), stroke="#7a6428", sw=2.5),
        E(400, 662, 10, stroke="#8c7430", sw=2.5),
        E(400, 662, 4, fill="#8c7430"),
        R(174, 690, 62, 14, rx=3, fill="#c9ccd2", stroke="#7d828c", sw=1.5),
    ]


def clothes_crisis_jacket(p, layer):
    """A soft-shell crisis-team jacket: zip, stand collar, chest patch; lanyard with ID card."""
    c, col, grad = _cl(p)
    if layer != "body":
        return []
    under = c.get("under", "#dfe4ea")
    lan = c.get("lanyard", "#2f7fb8")
    trim = c.get("trim", "#f2c14e")
    return [
        P(OUT_L + NECK_HIGH + OUT_R, grad, stroke=OUTLINE, sw=3),
        P("M256 592 Q300 628 344 592 L330 640 Q300 650 270 640 Z", "url(#%s)" % p.gid("top")),
        P("M244 590 C250 616 262 640 284 650 L292 800 M356 590 C350 616 338 640 316 650 L308 800",
          stroke=shade(col, 0.55), sw=3),
        P("M300 650 L300 800", stroke="#1c1f24", sw=4),
        P("M230 596 C238 620 252 640 270 650 M370 596 C362 620 348 640 330 650", stroke=mix(col, "#ffffff", 0.2), sw=3),
        P("M0 742 L240 742 L240 756 L0 756 Z M600 742 L360 742 L360 756 L600 756 Z", trim, op=0.9),
        E(410, 684, 26, fill=shade(col, 0.8), stroke=trim, sw=3),
        P("M398 686 C398 674 410 672 410 682 C410 672 422 674 422 686 C422 694 412 700 410 704 C408 700 398 694 398 686 Z",
          "#f2efe6"),
        P("M262 596 C260 650 280 700 300 720 M338 596 C340 650 320 700 300 720", stroke=lan, sw=6),
        R(276, 716, 48, 66, rx=5, fill="#f4f6f8", stroke="#5b6670", sw=2),
        R(284, 726, 20, 24, rx=2, fill="#9fb3c4"),
        P("M284 760 l32 0 M284 768 l24 0", stroke="#5b6670", sw=2.5),
        R(276, 716, 48, 10, fill=lan),
        P(FOLDS, stroke=shade(col, 0.7), sw=2.2),
    ]


def clothes_raincoat(p, layer):
    """A rain jacket: glossy, big collar, snap placket, hood folded behind."""
    c, col, grad = _cl(p)
    if layer == "back" and c.get("hood", True):
        return [P("M180 630 C182 566 236 532 300 532 C364 532 418 566 420 630 Z", shade(col, 0.85), stroke=OUTLINE, sw=3)]
    if layer != "body":
        return []
    under = c.get("under", "#3b4a5c")
    out = [
        P(OUT_L + NECK_HIGH + OUT_R, grad, stroke=OUTLINE, sw=3),
        P("M262 600 Q300 616 338 600 L300 652 Z", "url(#%s)" % p.gid("top")),
        P("M254 584 C238 598 226 606 208 612 L254 680 L294 628 Z", mix(col, "#ffffff", 0.06), stroke=OUTLINE, sw=2.5),
        P("M346 584 C362 598 374 606 392 612 L346 680 L306 628 Z", mix(col, "#ffffff", 0.06), stroke=OUTLINE, sw=2.5),
        P("M296 640 L296 800 M310 640 L310 800", stroke=shade(col, 0.7), sw=2.5),
        E(303, 694, 5, fill=shade(col, 0.6), stroke=shade(col, 0.45), sw=1.5),
        E(303, 758, 5, fill=shade(col, 0.6), stroke=shade(col, 0.45), sw=1.5),
        P("M120 670 C150 660 190 646 220 630", stroke="#ffffff", sw=8, op=0.22),
        P("M470 690 C490 700 520 706 540 716", stroke="#ffffff", sw=6, op=0.18),
        P("M150 740 L230 736 M370 736 L450 740", stroke=shade(col, 0.65), sw=3),
        P(FOLDS, stroke=shade(col, 0.72), sw=2.2),
    ]
    return out


def clothes_vest(p, layer):
    """A volunteer mesh vest (no lettering) over a long-sleeved top."""
    c, col, grad = _cl(p)
    if layer != "body":
        return []
    under = c.get("under", "#3b4350")
    band = c.get("band", "#f4f1e6")
    return [
        P(OUT_L + NECK_CREW + OUT_R, "url(#%s)" % p.gid("top"), stroke=OUTLINE, sw=3),
        P("M257 592 Q300 632 343 592", stroke=shade(under, 0.8), sw=8),
        P("M44 800 L44 730 C52 692 80 670 122 656 C170 640 210 622 240 600 C244 598 246 597 248 597 "
          "C262 660 280 720 292 800 Z", grad, stroke=OUTLINE, sw=3),
        P("M556 800 L556 730 C548 692 520 670 478 656 C430 640 390 622 360 600 C356 598 354 597 352 597 "
          "C338 660 320 720 308 800 Z", grad, stroke=OUTLINE, sw=3),
        P("M248 600 C262 662 280 722 292 800 M352 600 C338 662 320 722 308 800", stroke=shade(col, 0.7), sw=3),
        P("M60 736 L282 736 L286 758 L56 758 Z M540 736 L318 736 L314 758 L544 758 Z", band, stroke=shade(band, 0.7), sw=1.5),
        P(" ".join("M%s 660 l-6 70" % n(x) for x in range(90, 240, 22)) + " " +
          " ".join("M%s 660 l6 70" % n(x) for x in range(380, 530, 22)), stroke=shade(col, 0.82), sw=1.4, op=0.6),
        R(372, 680, 50, 34, rx=4, fill="#f4f6f8", stroke="#5b6670", sw=1.8),
        R(378, 686, 14, 16, rx=2, fill="#9fb3c4"),
        P("M396 690 l20 0 M396 698 l14 0", stroke="#5b6670", sw=2),
        P("M44 730 C60 700 90 680 122 670 M556 730 C540 700 510 680 478 670", stroke=shade(under, 0.7), sw=2.2),
    ]


def clothes_scrubs_robe(p, layer):
    """A soft robe with a shawl collar worn over V-neck hospital scrubs."""
    c, col, grad = _cl(p)
    if layer != "body":
        return []
    scrub = c.get("under", "#5fa3a0")
    return [
        P("M252 594 L300 668 L348 594 Z", p.skin),
        P("M252 594 L300 668 L348 594", stroke=p.skin_line, sw=2),
        P(OUT_L + " C244 594 248 592 252 591 L300 668 L348 591 C352 592 356 594 364 598 " + OUT_R,
          "url(#%s)" % p.gid("top"), stroke=OUTLINE, sw=3),
        P("M252 594 L300 668 L348 594", stroke=shade(scrub, 0.7), sw=6),
        R(330, 700, 56, 60, rx=4, fill=shade(scrub, 0.92), stroke=shade(scrub, 0.7), sw=2),
        P("M350 700 L350 730", stroke="#2a5a8a", sw=3),
        P("M0 800 L0 720 C10 680 40 660 90 648 C150 634 200 618 228 598 C234 640 250 720 262 800 Z",
          grad, stroke=OUTLINE, sw=3),
        P("M600 800 L600 720 C590 680 560 660 510 648 C450 634 400 618 372 598 C366 640 350 720 338 800 Z",
          grad, stroke=OUTLINE, sw=3),
        P("M228 598 C210 640 218 720 232 800 L262 800 C250 720 234 640 228 598 Z", mix(col, "#ffffff", 0.12),
          stroke=OUTLINE, sw=2.5),
        P("M372 598 C390 640 382 720 368 800 L338 800 C350 720 366 640 372 598 Z", mix(col, "#ffffff", 0.12),
          stroke=OUTLINE, sw=2.5),
        P("M120 690 q16 30 10 110 M480 690 q-16 30 -10 110", stroke=shade(col, 0.75), sw=2.2, op=0.7),
        P(FOLDS, stroke=shade(col, 0.75), sw=2.2),
    ]


def clothes_apron(p, layer):
    """An apron bib over a blouse or shirt; optional pocket pen and rolled sleeves."""
    c, col, grad = _cl(p)
    if layer != "body":
        return []
    apron = c.get("apron", "#2f6b4f")
    shirt = c.get("shirt", "blouse")
    if shirt == "collar":
        out = _collar_shirt(p, col, placket=False)
    else:
        out = [
            P(OUT_L + NECK_CREW + OUT_R, grad, stroke=OUTLINE, sw=3),
            P("M257 592 Q300 632 343 592", stroke=shade(col, 0.82), sw=6),
            P("M246 594 C256 614 272 626 300 630 C328 626 344 614 354 594", stroke=mix(col, "#ffffff", 0.3), sw=3, op=0.8),
        ]
    out += [
        P("M238 598 C250 640 256 660 258 676 M362 598 C350 640 344 660 342 676", stroke=shade(apron, 0.8), sw=9),
        P("M200 680 L400 680 L410 800 L190 800 Z", apron, stroke=OUTLINE, sw=3),
        P("M212 694 L388 694", stroke=mix(apron, "#ffffff", 0.25), sw=2, op=0.6),
        R(248, 726, 104, 60, rx=5, fill=shade(apron, 0.88), stroke=shade(apron, 0.6), sw=2),
        P("M300 726 L300 786", stroke=shade(apron, 0.6), sw=2),
    ]
    if c.get("pattern"):
        dots = " ".join("M%s %s l0.5 0" % (n(x), n(y)) for x in range(214, 392, 18) for y in range(704, 800, 18))
        out.append(P(dots, stroke=c["pattern"], sw=5, op=0.8))
    if c.get("pen"):
        out.append(R(262, 712, 6, 26, rx=2, fill="#1f3f8a"))
    if c.get("rolled"):
        # sleeves rolled above the elbow: a thick cuff across each upper arm, bare arm below
        for m in ("", 'transform="matrix(-1 0 0 1 600 0)"'):
            out.append(P("M0 776 C20 772 44 774 62 780 L60 800 L0 800 Z", p.skin, stroke=p.skin_line, sw=2.5, extra=m))
            out.append(P("M0 748 C24 742 52 746 74 756 L66 786 C46 776 22 774 0 778 Z", mix(col, "#ffffff", 0.15),
                         stroke=OUTLINE, sw=2.5, extra=m))
            out.append(P("M4 762 C26 758 50 760 70 770", stroke=shade(col, 0.72), sw=2, extra=m))
    out.append(P(FOLDS.replace("M96 648 C110 700 116 750 114 800", "M96 648 C110 700 116 740 114 756")
                 .replace("M504 648 C490 700 484 750 486 800", "M504 648 C490 700 484 740 486 756"),
                 stroke=shade(col, 0.75), sw=2.2))
    return out


def clothes_varsity(p, layer):
    """A varsity jacket: coloured body, contrasting sleeves, striped rib collar, snaps."""
    c, col, grad = _cl(p)
    if layer != "body":
        return []
    sleeve = c.get("sleeves", "#efe6d2")
    stripe = c.get("stripe", "#efe6d2")
    return [
        P(OUT_L + NECK_HIGH + OUT_R, sleeve, stroke=OUTLINE, sw=3),
        P("M262 600 Q300 622 338 600 L300 656 Z", "url(#%s)" % p.gid("top")),
        P("M90 648 C150 634 200 618 236 598 C256 588 276 584 300 584 C324 584 344 588 364 598 C400 618 450 634 510 648 "
          "C500 700 496 750 500 800 L100 800 C104 750 100 700 90 648 Z", grad, stroke=OUTLINE, sw=3),
        P("M236 596 C250 624 270 644 300 652 C330 644 350 624 364 596 C356 590 346 588 340 590 Q300 640 260 590 "
          "C254 588 244 590 236 596 Z", shade(col, 0.7), stroke=OUTLINE, sw=2.5),
        P("M244 600 C256 624 276 640 300 646 C324 640 344 624 356 600", stroke=stripe, sw=3),
        P("M250 604 C262 626 280 638 300 642 C320 638 338 626 350 604", stroke=stripe, sw=2, op=0.7),
        P("M300 652 L300 800", stroke=shade(col, 0.55), sw=3),
        E(300, 690, 5, fill="#d9d6cf", stroke="#6a6660", sw=1.5),
        E(300, 746, 5, fill="#d9d6cf", stroke="#6a6660", sw=1.5),
        P("M92 652 C102 700 104 750 100 800 M508 652 C498 700 496 750 500 800", stroke=shade(col, 0.6), sw=3),
        P("M40 700 C46 740 48 770 46 800 M560 700 C554 740 552 770 554 800", stroke=shade(sleeve, 0.8), sw=2, op=0.7),
    ]


def clothes_blouse(p, layer):
    """A simple blouse or sweater with a soft round neckline (phone voices)."""
    c, col, grad = _cl(p)
    if layer != "body":
        return []
    out = [
        P(OUT_L + NECK_CREW + OUT_R, grad, stroke=OUTLINE, sw=3),
        P("M257 592 Q300 632 343 592", stroke=shade(col, 0.8), sw=7),
        P("M257 592 Q300 632 343 592", stroke=mix(col, "#ffffff", 0.2), sw=2.2),
        P(FOLDS, stroke=shade(col, 0.75), sw=2.2),
    ]
    if c.get("necklace"):
        nc = c["necklace"]
        out.append(P("M262 604 Q300 660 338 604", stroke=nc, sw=2))
        out.append(E(300, 634, 5, fill=nc, stroke=shade(nc, 0.6), sw=1))
    if c.get("blazer"):
        bz = c["blazer"]
        out += [
            P("M0 800 L0 720 C10 680 40 660 90 648 C150 634 200 618 236 598 C240 596 244 594 248 592 "
              "C244 660 250 740 262 800 Z", bz, stroke=OUTLINE, sw=3),
            P("M600 800 L600 720 C590 680 560 660 510 648 C450 634 400 618 364 598 C360 596 356 594 352 592 "
              "C356 660 350 740 338 800 Z", bz, stroke=OUTLINE, sw=3),
            P("M236 600 L222 640 L252 680 Z M364 600 L378 640 L348 680 Z", mix(bz, "#ffffff", 0.08), stroke=OUTLINE, sw=2.5),
        ]
    return out


CLOTHES = {
    "tshirt": clothes_tshirt, "work_shirt": clothes_work_shirt, "security": clothes_security,
    "flannel": clothes_flannel, "fleece": clothes_fleece, "cardigan": clothes_cardigan,
    "cardigan_glasses_cord": clothes_glasses_cord, "hoodie": clothes_hoodie, "police": clothes_police,
    "crisis_jacket": clothes_crisis_jacket, "raincoat": clothes_raincoat, "vest": clothes_vest,
    "scrubs_robe": clothes_scrubs_robe, "apron": clothes_apron, "varsity": clothes_varsity,
    "blouse": clothes_blouse,
}


# --------------------------------------------------------------------------
# Entry point
# --------------------------------------------------------------------------

def build(slug, spec, out_root):
    """Write the four expression files of one character; return the paths."""
    if slug in HAND_MADE:
        raise SystemExit("refusing to overwrite the hand-made set %r" % slug)
    folder = os.path.join(out_root, slug)
    os.makedirs(folder, exist_ok=True)
    paths = []
    for expr in EXPRESSIONS:
        path = os.path.join(folder, expr + ".svg")
        with open(path, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(Portrait(slug, spec, expr).svg())
        paths.append(path)
    return paths


def main(argv):
    """Regenerate the sets named on the command line, or all of them."""
    spec = read_yaml(SPEC)
    chars = spec["characters"]
    wanted = argv or list(chars)
    out_root = os.path.join(ASSETS, "portraits")
    for slug in wanted:
        if slug not in chars:
            raise SystemExit("unknown character %r (see %s)" % (slug, SPEC))
        for path in build(slug, chars[slug], out_root):
            print(os.path.relpath(path, os.path.dirname(ASSETS)))


if __name__ == "__main__":
    main(sys.argv[1:])
