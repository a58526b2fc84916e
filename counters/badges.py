"""Badges in shields.io's look, drawn as SVG from a template.

Text widths come from Verdana's advance-width tables (counters/fonts/), the ones
shields.io measures with, so a badge here is as wide as the same badge there.
Every text and attribute value is XML-escaped on its way into the template.
"""

import bisect
import functools
import json
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

FONTS_DIR = Path(__file__).resolve().parent / "fonts"
FONT_FAMILY = "Verdana,Geneva,DejaVu Sans,sans-serif"

STYLES = ("flat", "flat-square", "for-the-badge")

# shields.io's named colours and their aliases.
NAMED_COLORS = {
    "brightgreen": "#4c1",
    "green": "#97ca00",
    "yellow": "#dfb317",
    "yellowgreen": "#a4a61d",
    "orange": "#fe7d37",
    "red": "#e05d44",
    "blue": "#007ec6",
    "grey": "#555",
    "lightgrey": "#9f9f9f",
    "gray": "#555",
    "lightgray": "#9f9f9f",
    "critical": "#e05d44",
    "important": "#fe7d37",
    "success": "#4c1",
    "informational": "#007ec6",
    "inactive": "#9f9f9f",
}
HEX_COLOR_RE = re.compile(r"#?([0-9a-fA-F]{3}|[0-9a-fA-F]{6})")

DEFAULT_COLOR = "blue"
DEFAULT_LABEL_COLOR = "grey"
NOT_FOUND_COLOR = "lightgrey"

METRIC_PREFIXES = ("k", "M", "G", "T", "P", "E")


# --- measuring text -----------------------------------------------------------------


class WidthTable:
    """Advance widths of one font, looked up by code point."""

    def __init__(self, ranges: list[tuple[int, int, float]]):
        self.starts = [start for start, _, _ in ranges]
        self.ranges = ranges
        # A character the table lacks is guessed as wide as an "m", as shields.io does.
        self.em = self.width_of_char("m") or 0.0

    def width_of_char(self, char: str) -> float | None:
        code = ord(char)
        if code <= 31 or code == 127:
            return 0.0
        i = bisect.bisect_right(self.starts, code) - 1
        if i >= 0:
            start, end, width = self.ranges[i]
            if start <= code <= end:
                return width
        return None

    def width(self, text: str) -> float:
        total = 0.0
        for char in text:
            width = self.width_of_char(char)
            total += self.em if width is None else width
        return total


@functools.cache
def font(name: str) -> WidthTable:
    """`name` is one of verdana-11px-normal, verdana-10px-normal, verdana-10px-bold."""
    with open(FONTS_DIR / f"{name}.json") as f:
        return WidthTable(json.load(f))


def text_width(text: str, font_name: str = "verdana-11px-normal") -> float:
    """The width in pixels of `text` set in the font `font_name`."""
    return font(font_name).width(text)


def _round_up_to_odd(value: int) -> int:
    # shields.io does this to land the text's centre on the pixel grid.
    return value + 1 if value % 2 == 0 else value


# --- colours and numbers ------------------------------------------------------------


def parse_color(value: str) -> str | None:
    """A hex colour (#rgb or #rrggbb) for a shields.io colour name or a hex code."""
    value = value.strip()
    if value.lower() in NAMED_COLORS:
        return NAMED_COLORS[value.lower()]
    match = HEX_COLOR_RE.fullmatch(value)
    if match:
        return "#" + match.group(1).lower()
    return None


def color(value: str) -> str:
    """parse_color() of a value already known to be a colour."""
    parsed = parse_color(value)
    if parsed is None:
        raise ValueError(f"not a colour: {value!r}")
    return parsed


def _brightness(hex_color: str) -> float:
    digits = hex_color.lstrip("#")
    if len(digits) == 3:
        digits = "".join(d * 2 for d in digits)
    r, g, b = (int(digits[i : i + 2], 16) for i in (0, 2, 4))
    return round((r * 299 + g * 587 + b * 114) / 255000, 2)


def _text_colors(background: str) -> tuple[str, str]:
    """Text and shadow colours readable on `background`, with shields.io's threshold."""
    if _brightness(background) <= 0.69:
        return "#fff", "#010101"
    return "#333", "#ccc"


def abbreviate(n: int) -> str:
    """A count as shields.io's metric form: 999, 1.2k, 12k, 1M."""
    if n < 1000:
        return str(n)
    for power, prefix in reversed(list(enumerate(METRIC_PREFIXES, start=1))):
        limit = 1000**power
        if n < limit:
            continue
        scaled = Decimal(n) / limit
        if scaled < 10:
            one_decimal = scaled.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
            if one_decimal < 10 and one_decimal % 1 != 0:
                return f"{one_decimal}{prefix}"
        rounded = int(scaled.quantize(Decimal("1"), rounding=ROUND_HALF_UP))
        if rounded < 1000 or prefix == METRIC_PREFIXES[-1]:
            return f"{rounded}{prefix}"
        # 999,999 rounds to 1000k: say 1M instead.
        return f"1{METRIC_PREFIXES[power]}"
    return str(n)


# --- drawing ------------------------------------------------------------------------


# Characters XML 1.0 does not allow at all, escaped or not: C0 controls other than tab,
# newline and carriage return, lone surrogates, and U+FFFE and U+FFFF. A badge holding
# one would not parse, and show as a broken image.
XML_FORBIDDEN_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def escape(value: object) -> str:
    """`value` as XML text or attribute content, less the characters XML forbids."""
    return (
        XML_FORBIDDEN_RE.sub("", str(value))
        .replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
        .replace("'", "&apos;")
    )


@dataclass(frozen=True)
class Badge:
    label: str
    message: str
    color: str = NAMED_COLORS[DEFAULT_COLOR]
    label_color: str = NAMED_COLORS[DEFAULT_LABEL_COLOR]
    style: str = "flat"

    def svg(self) -> str:
        if self.style == "for-the-badge":
            return _for_the_badge(self)
        return _flat(self, square=self.style == "flat-square")


def _accessible_text(label: str, message: str) -> str:
    return f"{label}: {message}" if label else message


SVG_OPEN = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
    'role="img" aria-label="{title}"><title>{title}</title>'
)

FLAT_BACKGROUND = (
    '<linearGradient id="s" x2="0" y2="100%"><stop offset="0" stop-color="#bbb" '
    'stop-opacity=".1"/><stop offset="1" stop-opacity=".1"/></linearGradient>'
    '<clipPath id="r"><rect width="{width}" height="20" rx="3" fill="#fff"/></clipPath>'
    '<g clip-path="url(#r)"><rect width="{left}" height="20" fill="{label_color}"/>'
    '<rect x="{left}" width="{right}" height="20" fill="{color}"/>'
    '<rect width="{width}" height="20" fill="url(#s)"/></g>'
)

SQUARE_BACKGROUND = (
    '<g shape-rendering="crispEdges"><rect width="{left}" height="20" fill="{label_color}"/>'
    '<rect x="{left}" width="{right}" height="20" fill="{color}"/></g>'
)

TEXT_GROUP = (
    '<g fill="#fff" text-anchor="middle" font-family="{family}" '
    'text-rendering="geometricPrecision" font-size="{size}">{texts}</g></svg>'
)

SHADOW_TEXT = (
    '<text aria-hidden="true" x="{x}" y="150" fill="{shadow}" fill-opacity=".3" '
    'transform="scale(.1)" textLength="{length}">{text}</text>'
)
TEXT = (
    '<text x="{x}" y="{y}" transform="scale(.1)" fill="{fill}" textLength="{length}"'
    "{weight}>{text}</text>"
)


def _flat(badge: Badge, square: bool) -> str:
    """flat and flat-square: 20 px high, 11px Verdana, 5 px padding either side."""
    padding = 5
    label_width = _round_up_to_odd(int(text_width(badge.label))) if badge.label else 0
    message_width = _round_up_to_odd(int(text_width(badge.message)))
    left = label_width + 2 * padding if badge.label else 0
    right = message_width + 2 * padding
    width = left + right
    label_color = badge.label_color if badge.label else badge.color

    texts = []
    for content, margin, text_w, background in (
        (badge.label, 1, label_width, label_color),
        (badge.message, left - 1 if badge.label else left, message_width, badge.color),
    ):
        if not content:
            continue
        fill, shadow = _text_colors(background)
        x = 10 * (margin + 0.5 * text_w + padding)
        values = {"x": _num(x), "length": 10 * text_w, "text": escape(content)}
        if not square:
            texts.append(SHADOW_TEXT.format(shadow=escape(shadow), **values))
        texts.append(TEXT.format(y=140, fill=escape(fill), weight="", **values))

    background = SQUARE_BACKGROUND if square else FLAT_BACKGROUND
    title = escape(_accessible_text(badge.label, badge.message))
    return (
        SVG_OPEN.format(width=width, height=20, title=title)
        + background.format(
            width=width,
            left=left,
            right=right,
            label_color=escape(label_color),
            color=escape(badge.color),
        )
        + TEXT_GROUP.format(family=escape(FONT_FAMILY), size=110, texts="".join(texts))
    )


def _for_the_badge(badge: Badge) -> str:
    """for-the-badge: 28 px high, capitals spaced out, the message in bold."""
    margin, spacing = 12, 1.25
    label, message = badge.label.upper(), badge.message.upper()
    label_width = (
        int(text_width(label, "verdana-10px-normal")) + spacing * len(label) if label else 0
    )
    message_width = int(text_width(message, "verdana-10px-bold")) + spacing * len(message)
    left = margin + label_width + margin if label else 0
    right = 2 * margin + message_width
    width = left + right

    texts = []
    if label:
        fill, _ = _text_colors(badge.label_color)
        texts.append(
            TEXT.format(
                x=_num(10 * (margin + 0.5 * label_width)),
                y=175,
                fill=escape(fill),
                length=_num(10 * label_width),
                weight="",
                text=escape(label),
            )
        )
    fill, _ = _text_colors(badge.color)
    texts.append(
        TEXT.format(
            x=_num(10 * (left + margin + 0.5 * message_width)),
            y=175,
            fill=escape(fill),
            length=_num(10 * message_width),
            weight=' font-weight="bold"',
            text=escape(message),
        )
    )
    rects = []
    if label:
        rects.append(f'<rect width="{_num(left)}" height="28" fill="{escape(badge.label_color)}"/>')
    rects.append(
        f'<rect x="{_num(left)}" width="{_num(right)}" height="28" fill="{escape(badge.color)}"/>'
    )
    title = escape(_accessible_text(label, message))
    return (
        SVG_OPEN.format(width=_num(width), height=28, title=title)
        + '<g shape-rendering="crispEdges">'
        + "".join(rects)
        + "</g>"
        + TEXT_GROUP.format(family=escape(FONT_FAMILY), size=100, texts="".join(texts))
    )


def _num(value: float) -> str:
    """A coordinate without a needless ".0", and never in exponent form."""
    return f"{value:.2f}".rstrip("0").rstrip(".")
