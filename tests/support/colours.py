"""Colours as the browser draws them, and the WCAG contrast between them, for browser tests of
the light and dark schemes."""

from __future__ import annotations

import re

AA_TEXT = 4.5  # WCAG AA for body text

# Each named custom property as the browser resolves it, as "rgb(...)".
PALETTE = """
(element, names) => {
  const probe = document.createElement("span");
  element.append(probe);
  const colours = {};
  for (const name of names) {
    probe.style.color = `var(--${name})`;
    colours[name] = getComputedStyle(probe).color;
  }
  probe.remove();
  return colours;
}
"""
# An element's text colour and the background it is drawn on (its own or the nearest
# ancestor's that is not transparent).
COLOURS = """
(element) => {
  let painted = element;
  while (painted && /rgba\\(.*, 0\\)|transparent/.test(getComputedStyle(painted).backgroundColor)) {
    painted = painted.parentElement;
  }
  const background = painted ? getComputedStyle(painted).backgroundColor : "rgb(255, 255, 255)";
  return [getComputedStyle(element).color, background];
}
"""


def _channels(css_colour: str) -> tuple[float, float, float]:
    numbers = re.findall(r"[\d.]+", css_colour)
    assert len(numbers) >= 3, css_colour
    return float(numbers[0]), float(numbers[1]), float(numbers[2])


def luminance(css_colour: str) -> float:
    """WCAG relative luminance of an `rgb(...)` colour: 0 is black, 1 white."""

    def linear(value: float) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else float(((c + 0.055) / 1.055) ** 2.4)

    r, g, b = (linear(v) for v in _channels(css_colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(first: str, second: str) -> float:
    light, dark = sorted((luminance(first), luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def low_contrast(colours: dict[str, str], pairs: list[tuple[str, str]]) -> list[str]:
    """The pairs below AA, with their ratios (empty when all pass)."""
    return [
        f"{text} on {background}: {contrast(colours[text], colours[background]):.2f}"
        for text, background in pairs
        if contrast(colours[text], colours[background]) < AA_TEXT
    ]
