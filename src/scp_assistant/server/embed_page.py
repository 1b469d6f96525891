"""The page for portal operators (``/einbinden``): the one script tag for this server, the origin allowlist it
needs, the widget's settings, and the widget itself, live on the page."""

from __future__ import annotations

import html
import re
from collections.abc import Sequence

WIDGET_MAX_CHARS = 2000  # what widget.js assumes without data-max-chars


def embed_page(template: str, base_url: str, allowed_origins: Sequence[str], max_chars: int) -> str:
    """The page for a server reached at ``base_url`` (as the operator opened it): every value the server knows is
    filled in and escaped."""
    base = base_url.rstrip("/")
    limit = f' data-max-chars="{max_chars}"' if max_chars != WIDGET_MAX_CHARS else ""
    snippet = (
        f'<script src="{base}/widget.js" data-title="Fragen zum Startchancen-Programm"\n'
        f'        data-position="right" data-open="false" data-lang="de"{limit} defer></script>'
    )
    if allowed_origins:
        named = ", ".join(f"<code>{html.escape(o)}</code>" for o in sorted(allowed_origins))
        origins = f"Derzeit freigegeben: {named}."
    else:
        origins = "Derzeit ist kein Portal freigegeben: nur Seiten dieses Servers selbst können fragen."
    default = f"<code>{WIDGET_MAX_CHARS}</code>"
    values = {
        "SNIPPET": html.escape(snippet),
        "BASE": html.escape(base),
        "ORIGINS": origins,
        "MAX_CHARS": f"{default} (dieser Server: <code>{max_chars}</code>, steht im Tag oben)" if limit else default,
        "MAX_ATTR": limit,
    }
    # one pass: a filled-in value is never read for placeholders again
    return re.sub(r"\{\{([A-Z_]+)\}\}", lambda m: values.get(m.group(1), m.group(0)), template)
