"""A self-contained HTML report of an eval run (German labels, inline SVG charts, no CDN, no build step)."""

from __future__ import annotations

import json
from html import escape
from typing import Any

from scp_assistant.eval.diagnose import SHORT, STAGES

LABELS = {
    "answer_accuracy": "Antwortgenauigkeit",
    "fact_recall": "Fakten-Abdeckung",
    "citation_hit": "Richtige Quelle zitiert",
    "citation_precision": "Quellen-Präzision",
    "lead_fact": "Antwort zuerst (Fakt in 300 Zeichen)",
    "retrieval_hit1": "Treffer@1",
    "retrieval_hit3": "Treffer@3",
    "retrieval_hit5": "Treffer@5",
    "mrr": "MRR",
    "refusal_accuracy": "Korrekte Ablehnungen",
    "false_refusal": "Falsche Ablehnungen",
    "latency_p50_ms": "Antwortzeit p50 (ms)",
    "latency_p95_ms": "Antwortzeit p95 (ms)",
    "latency_max_ms": "Antwortzeit max (ms)",
    "answer_chars_median": "Antwortlänge Median (Zeichen)",
    "citations_per_answer": "Quellen je Antwort",
    "questions": "Fragen",
}


# what each headline figure means, for readers who are not developers
EXPLAIN = {
    "answer_accuracy": "Anteil der beantwortbaren Fragen mit richtiger Antwort: Kernfakten enthalten, erwartete Quelle "
    "zitiert, nicht zu lang.",
    "fact_recall": "Durchschnittlicher Anteil der Kernfakten, die in der Antwort stehen.",
    "citation_hit": "Anteil der Antworten, die mindestens eine erwartete Quelle zitieren.",
    "citation_precision": "Anteil der zitierten Quellen, die zur Frage gehören (weniger Nebenquellen = höher).",
    "lead_fact": "Anteil der Antworten, die in den ersten 300 Zeichen einen Kernfakt nennen.",
    "retrieval_hit1": "Die Suche findet ein erwartetes Dokument an erster Stelle.",
    "retrieval_hit3": "… unter den ersten drei Dokumenten.",
    "retrieval_hit5": "… unter den ersten fünf Dokumenten.",
    "mrr": "Mittlerer Kehrwert des Rangs des ersten passenden Dokuments (1 = immer ganz oben).",
    "refusal_accuracy": "Anteil der Fragen, die die Unterlagen nicht beantworten, die korrekt abgelehnt wurden.",
    "false_refusal": "Anteil der beantwortbaren Fragen, die fälschlich abgelehnt wurden (niedriger ist besser).",
    "answer_chars_median": "Typische Länge einer Antwort in Zeichen.",
    "citations_per_answer": "Durchschnittlich zitierte Quellen je Antwort.",
}
RATES = {k for k in EXPLAIN if k not in ("answer_chars_median", "citations_per_answer", "mrr")}
CATEGORIES = {
    "factual": "Sachfragen", "colloquial": "Umgangssprache", "typo": "Tippfehler", "english": "Englisch",
    "multi_part": "Mehrteilige Fragen", "comparison": "Vergleiche", "eligibility": "Förderfähigkeit",
    "procedural": "Verfahren", "responsibility": "Zuständigkeiten", "unanswerable": "Nicht beantwortbar",
    "out_of_scope": "Außerhalb des Themas", "adversarial": "Manipulationsversuche", "followup": "Folgefragen",
    "standalone_in_session": "Neue Frage im Gespräch", "scope_in_session": "Themenfremdes im Gespräch",
    "refuse_followup": "Nicht beantwortbare Folgefrage", "topic_switch": "Themenwechsel im Gespräch",
    "feedback": "Aus Rückmeldungen",
}  # fmt: skip


def german_percent(share: float) -> str:
    """0.767 -> "76,7 %"."""
    return f"{share * 100:.1f} %".replace(".", ",")


def _shown(key: str, value: Any) -> str:
    """Rates as percentages (0.767 -> 76,7 %), other figures with a decimal comma (MRR 0,892; 2,24 sources per
    answer; milliseconds and characters whole): "2.241 Quellen" reads as two thousand in German."""
    if key in RATES and isinstance(value, int | float):
        return german_percent(value)
    if isinstance(value, float):
        whole = key.endswith("_ms") or key.endswith("_chars_median")
        return f"{value:.{0 if whole else (3 if key == 'mrr' else 2)}f}".replace(".", ",")
    return _fmt(value)


def _category(name: str) -> str:
    return CATEGORIES.get(name, name)


def _bar_chart(title: str, items: list[tuple[str, float]], maximum: float = 1.0, unit: str = "") -> str:
    width, row = 580, 24
    height = 30 + row * len(items)
    bars = []
    for i, (label, value) in enumerate(items):
        y = 24 + i * row
        w = 0 if maximum <= 0 else max(0.0, min(1.0, value / maximum)) * 300
        shown = f"{value * 100:.0f} %" if not unit else f"{value:g}{unit}"
        shown = "1 Frage" if shown == "1 Fragen" else shown
        bars.append(
            f'<text x="0" y="{y + 14}" class="lbl">{escape(label[:28])}</text>'
            f'<rect x="190" y="{y + 2}" width="{w:.1f}" height="16" class="bar"/>'
            f'<text x="{195 + w:.1f}" y="{y + 14}" class="val">{escape(shown)}</text>'
        )
    return (
        f'<figure><svg role="img" aria-label="{escape(title)}" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}"><text x="0" y="14" class="ttl">{escape(title)}</text>'
        + "".join(bars)
        + "</svg></figure>"
    )


def _latency_histogram(latencies: list[float]) -> str:
    if not latencies:
        return ""
    top = max(latencies) or 1.0
    buckets = 10
    counts = [0] * buckets
    for value in latencies:
        counts[min(buckets - 1, int(value / top * buckets))] += 1
    digits = 0 if top >= 100 else 1
    items = [(f"≤ {top * (i + 1) / buckets:.{digits}f} ms".replace(".", ","), float(c)) for i, c in enumerate(counts)]
    return _bar_chart("Verteilung der Antwortzeiten", items, maximum=float(max(counts)), unit=" Fragen")


def _citations(result: dict[str, Any]) -> str:
    parts = []
    for c in result.get("citations") or []:
        where = f"Folie/Seite {c['page']}" if c.get("page") else (c.get("section") or "")
        title = escape(str(c.get("title", "")))
        link = f'<a href="{escape(c["source_url"])}" rel="noopener">{title}</a>' if c.get("source_url") else title
        parts.append(f"<li>[{c.get('n')}] {link} – {escape(where)} <code>{escape(str(c.get('doc_id')))}</code></li>")
    return f"<ul>{''.join(parts)}</ul>" if parts else "–"


def _question_cell(result: dict[str, Any]) -> str:
    """The question; for a conversation every turn with what was searched for it."""
    turns = result.get("turns")
    if not turns:
        return escape(str(result.get("question", "")))
    lines = []
    for t in turns:
        searched = (
            "" if t["searched"] == t["question"] else f"<br><small>Gesucht wurde: {escape(t['searched'])}</small>"
        )
        lines.append(f"<li>{escape(t['question'])}{searched}</li>")
    return f'<ol class="turns">{"".join(lines)}</ol>'


def render_report(payload: dict[str, Any], config: dict[str, Any], gates: dict[str, Any]) -> str:
    metrics = payload["metrics"]
    results = payload["results"]
    retrieval_only = bool(payload.get("retrieval_only"))
    summary = "".join(
        f'<div class="card"><div class="num">{escape(_shown(k, metrics[k]))}</div>'
        f"<div>{escape(LABELS.get(k, k))}</div>"
        + (f'<p class="explain">{escape(EXPLAIN[k])}</p>' if k in EXPLAIN else "")
        + "</div>"
        for k in LABELS
        if k in metrics
    )
    if gates.get("checked"):
        gate = (
            '<p class="gate ok">Qualitätsschwellen erfüllt.</p>'
            if gates.get("passed")
            else '<p class="gate fail">Qualitätsschwellen NICHT erfüllt: '
            + "; ".join(escape(f) for f in gates.get("failed", []))
            + "</p>"
        )
    else:
        gate = '<p class="gate">Keine Qualitätsschwellen gesetzt.</p>'
    judge = metrics.get("llm_judge")
    if judge:
        gate += (
            f'<p class="gate">LLM-Richter (optional, nicht deterministisch): {judge["judged"]} Antworten bewertet, '
            f"Belegtheit Ø {escape(_fmt(judge['faithfulness_mean']))}, Richtigkeit Ø "
            f"{escape(_fmt(judge['correctness_mean']))} (1–5).</p>"
        )
    charts = []
    if metrics.get("per_category"):
        charts.append(
            _bar_chart(
                "Anteil richtig je Kategorie",
                [(_category(k), v["accuracy"]) for k, v in metrics["per_category"].items()],
            )
        )
    charts.append(
        _bar_chart(
            "Treffer@k (richtiges Dokument unter den ersten k)",
            [(f"Treffer@{k}", float(metrics.get(f"retrieval_hit{k}") or 0.0)) for k in (1, 3, 5)],
        )
    )
    charts.append(_latency_histogram([float(r.get("latency_ms") or 0.0) for r in results]))
    stages = metrics.get("failure_stages") or {}
    if any(stages.values()):  # where the wrong answers went wrong (eval/diagnose.py)
        items = [(SHORT.get(k, k), float(n)) for k, n in stages.items()]
        charts.append(_bar_chart("Woran falsche Antworten scheiterten", items, max(n for _, n in items), " Fragen"))
    rows = []
    for r in results:
        v = r.get("verdict") or {}
        ok = v.get("correct")
        status = "richtig" if ok else ("–" if retrieval_only else "falsch")
        status_class = "ok" if ok else "fail"
        kind = "Ablehnung" if r.get("refused") else "Antwort"
        reasons = "; ".join(([STAGES[r["stage"]]] if r.get("stage") in STAGES else []) + (v.get("reasons") or []))
        reasons = reasons or ("–" if ok else "")
        rows.append(
            f'<tr data-status="{status}" data-category="{escape(str(r.get("category") or ""))}">'
            f"<td>{escape(str(r['id']))}</td><td>{escape(_category(str(r.get('category') or '')))}</td>"
            f"<td>{_question_cell(r)}</td>"
            f'<td class="{status_class} short">{status}</td><td class="short">{kind}</td>'
            f'<td><div class="ans">{escape(str(r.get("answer") or ""))}</div></td>'
            f"<td>{_citations(r)}</td><td>{escape(reasons)}</td>"
            f'<td class="short">{float(r.get("latency_ms") or 0):.0f}</td></tr>'
        )
    config_rows = "".join(
        f"<tr><th>{escape(k)}</th><td><code>{escape(_fmt(v))}</code></td></tr>"
        for k, v in config.items()
        if k != "settings"
    )
    settings_json = escape(json.dumps(config.get("settings", {}), ensure_ascii=False, indent=1))
    return _PAGE.format(
        title=escape(str(config.get("name") or "Eval-Lauf")),
        summary=summary,
        gate=gate,
        charts="".join(charts),
        rows="".join(rows),
        config_rows=config_rows,
        settings=settings_json,
    )


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.3f}".rstrip("0").rstrip(".") if value < 10 else f"{value:.1f}"
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


_PAGE = """<!doctype html>
<html lang="de"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>SCP Assistant – Auswertung {title}</title>
<style>
body{{font-family:system-ui,sans-serif;margin:1.5rem;color:#1a1a1a;line-height:1.4}}
h1{{font-size:1.4rem}} .cards{{display:flex;flex-wrap:wrap;gap:.6rem}}
.card{{border:1px solid #ccc;border-radius:6px;padding:.5rem .8rem;min-width:9rem;max-width:16rem}}
.explain{{font-size:.8rem;color:#444;margin:.3rem 0 0}} .turns{{margin:0;padding-left:1.2rem}}
.num{{font-size:1.3rem;font-weight:600}}
.gate{{padding:.5rem;border-radius:4px;background:#eee}} .gate.ok{{background:#e3f4e3}} .gate.fail{{background:#fbe3e3}}
figure{{display:inline-block;margin:.5rem 1rem .5rem 0}} .bar{{fill:#2f6f9f}} .lbl,.val,.ttl{{font-size:12px}}
.ttl{{font-weight:600}} table{{border-collapse:collapse;width:100%;font-size:.9rem}}
th,td{{border:1px solid #ddd;padding:.3rem;vertical-align:top;text-align:left;
overflow-wrap:break-word}} th{{background:#f3f3f3;cursor:pointer}}
#results{{table-layout:fixed;min-width:60rem}} .wide{{overflow-x:auto}} td.short{{white-space:nowrap}}
td.ok{{color:#1d6b1d;font-weight:600}} td.fail{{color:#a11;font-weight:600}}
.ans{{white-space:pre-wrap}}
.filters{{margin:.5rem 0}} code{{font-size:.8rem}}
</style></head><body>
<h1>SCP Assistant – Auswertung „{title}“</h1>
<section aria-label="Zusammenfassung"><div class="cards">{summary}</div>{gate}</section>
<section aria-label="Diagramme">{charts}</section>
<h2>Fragen</h2>
<div class="filters"><label>Filter: <input id="q" type="search" placeholder="Text, id oder Kategorie"></label>
<label><input id="onlyfail" type="checkbox"> nur falsche</label></div>
<div class="wide"><table id="results"><colgroup><col style="width:7%"><col style="width:8%"><col style="width:15%">
<col style="width:6.5rem"><col style="width:7rem"><col style="width:28%"><col style="width:16%"><col style="width:9%">
<col style="width:4.5rem"></colgroup>
<thead><tr><th>ID</th><th>Kategorie</th><th>Frage</th><th>Urteil</th><th>Art</th><th>Antwort</th>
<th>Quellen</th><th>Fehlende Fakten / Gründe</th><th>ms</th></tr></thead><tbody>{rows}</tbody></table></div>
<h2>Konfiguration des Laufs</h2><table>{config_rows}</table>
<details><summary>Einstellungen</summary><pre>{settings}</pre></details>
<script>
(function(){{
  var table=document.getElementById('results'), body=table.tBodies[0];
  var q=document.getElementById('q'), onlyfail=document.getElementById('onlyfail');
  function filter(){{
    var needle=q.value.toLowerCase();
    Array.prototype.forEach.call(body.rows,function(row){{
      var show=row.textContent.toLowerCase().indexOf(needle)>=0 && (!onlyfail.checked || row.dataset.status==='falsch');
      row.hidden=!show;
    }});
  }}
  q.addEventListener('input',filter); onlyfail.addEventListener('change',filter);
  Array.prototype.forEach.call(table.tHead.rows[0].cells,function(th,idx){{
    th.tabIndex=0; var asc=true;
    function sort(){{
      var rows=Array.prototype.slice.call(body.rows);
      rows.sort(function(a,b){{
        var x=a.cells[idx].textContent, y=b.cells[idx].textContent, nx=parseFloat(x), ny=parseFloat(y);
        var c=(!isNaN(nx)&&!isNaN(ny))?nx-ny:x.localeCompare(y,'de');
        return asc?c:-c;
      }});
      rows.forEach(function(r){{body.appendChild(r);}}); asc=!asc;
    }}
    th.addEventListener('click',sort);
    th.addEventListener('keydown',function(e){{if(e.key==='Enter'){{sort();}}}});
  }});
}})();
</script>
</body></html>
"""
