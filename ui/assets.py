"""The page's own CSS and script, passed to `launch()` (Gradio 6 takes them there, not in Blocks).

The script makes citations clickable without a server round trip: a click on a
chip in the chat or an item in the sources panel shows that answer's sources,
opens the cited document and scrolls its highlighted passage into view. Colours
use Gradio's theme variables where they exist, so dark mode stays readable.
"""

from __future__ import annotations

CSS = """
#rag-sources [hidden] { display: none !important; }
.rag-answer .rag-text { margin: 0; line-height: 1.65; }
.rag-chip, .rag-chip-static {
  display: inline-flex; align-items: center; justify-content: center; min-width: 1.45em; height: 1.45em;
  padding: 0 .4em; margin: 0 .1em; border-radius: 999px; font-size: .72em; font-weight: 600; line-height: 1;
  vertical-align: .15em; background: var(--color-accent-soft); color: var(--color-accent);
  border: 1px solid var(--color-accent); cursor: pointer;
}
.rag-chip:hover, .rag-chip.rag-active { background: var(--color-accent); color: white; }
.rag-bracket { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); }
.rag-num { white-space: nowrap; border-bottom: 2px dotted; cursor: help; }
.rag-num::after { font-size: .7em; vertical-align: super; margin-left: .1em; }
.rag-num-ok { border-color: #16a34a; }
.rag-num-ok::after { content: "✓"; color: #16a34a; }
.rag-num-derived { border-color: #2563eb; }
.rag-num-derived::after { content: "="; color: #2563eb; }
.rag-num-bad { border-bottom: 2px solid #dc2626; }
.rag-num-bad::after { content: "?"; color: #dc2626; font-weight: 700; }
.rag-notice { padding: .5em .75em; margin: 0 0 .5em; border-radius: 6px; border-left: 4px solid; }
.rag-notice-title { margin-right: .2em; font-weight: 600; font-size: .95em; }
.rag-notice .rag-text { display: inline; }
.rag-abstain { background: var(--background-fill-secondary); border-color: var(--body-text-color-subdued); }
.rag-conflict { background: rgba(245, 158, 11, .12); border-color: #f59e0b; }
.rag-error { background: rgba(239, 68, 68, .1); border-color: #ef4444; }
.rag-meta { margin-top: .45em; font-size: .75em; color: var(--body-text-color-subdued); }
.rag-status { color: var(--body-text-color-subdued); font-style: italic; }
.rag-typing::after { content: "▍"; margin-left: .15em; animation: rag-blink 1s steps(2) infinite; }
@keyframes rag-blink { 50% { opacity: 0; } }

#rag-sources { font-size: .9em; }
.rag-empty { padding: 1.5em 1em; color: var(--body-text-color-subdued); text-align: center;
  border: 1px dashed var(--border-color-primary); border-radius: 8px; }
.rag-turn-q { margin: 0 0 .5em; font-size: .85em; color: var(--body-text-color-subdued); }
.rag-cites { list-style: none; padding: 0; margin: 0; }
.rag-cites li { margin: 0 0 .45em; }
.rag-cite-item { display: block; width: 100%; text-align: left; padding: .5em .65em; cursor: pointer;
  border: 1px solid var(--border-color-primary); border-radius: 8px; background: var(--background-fill-primary);
  color: var(--body-text-color); font: inherit; }
.rag-cite-item:hover { background: var(--background-fill-secondary); }
.rag-cite-item.rag-active { border-color: var(--color-accent); box-shadow: 0 0 0 1px var(--color-accent); }
.rag-cite-head { display: flex; align-items: center; gap: .45em; flex-wrap: wrap; }
.rag-cite-head .rag-chip-static { margin: 0; vertical-align: 0; cursor: inherit; }
.rag-file { font-family: var(--font-mono); font-size: .85em; font-weight: 600; word-break: break-all; }
.rag-lines { font-size: .8em; color: var(--body-text-color-subdued); }
.rag-quote { display: block; margin-top: .3em; font-size: .9em; line-height: 1.45; }
.rag-missing, .rag-none { display: block; margin-top: .3em; font-size: .8em; color: var(--body-text-color-subdued); }
.rag-doc { margin-top: .8em; border: 1px solid var(--border-color-primary); border-radius: 8px; overflow: hidden; }
.rag-doc-head { padding: .4em .7em; font-family: var(--font-mono); font-size: .8em;
  background: var(--background-fill-secondary); border-bottom: 1px solid var(--border-color-primary); }
.rag-doc-text { position: relative; max-height: 26em; overflow: auto; padding: .6em .8em; white-space: pre-wrap;
  line-height: 1.55; font-size: .9em; }
.rag-page-head { font-family: var(--font-mono); font-size: .8em; opacity: .7; margin: .2em 0 .4em; }
.rag-doc-text mark { background: rgba(250, 204, 21, .22); color: inherit; border-radius: 2px; }
.rag-doc-text mark.rag-active { background: rgba(250, 204, 21, .75); box-shadow: 0 0 0 2px rgba(234, 179, 8, .9); }
"""

JS = """
() => {
  const PREFIX = "rag-key-";
  const keyOf = (el) => {
    for (const name of el.classList) if (name.startsWith(PREFIX)) return name.slice(PREFIX.length);
    return null;
  };
  const show = (key) => {
    const root = document.getElementById("rag-sources");
    if (!root) return;
    const turn = key.slice(1, key.indexOf("-c"));
    root.querySelectorAll(".rag-turn").forEach((s) => { s.hidden = s.dataset.turn !== turn; });
    document.querySelectorAll(".rag-active").forEach((e) => e.classList.remove("rag-active"));
    document.querySelectorAll("." + PREFIX + key).forEach((e) => e.classList.add("rag-active"));
    const marks = [...root.querySelectorAll('mark[data-keys~="' + key + '"]')];
    const doc = marks.length ? marks[0].closest(".rag-doc") : null;
    root.querySelectorAll(".rag-doc").forEach((d) => { d.hidden = d !== doc; });
    if (!doc) return;
    marks.forEach((m) => m.classList.add("rag-active"));
    const box = doc.querySelector(".rag-doc-text");
    box.scrollTop = Math.max(0, marks[0].offsetTop - box.clientHeight / 3);
    doc.scrollIntoView({ block: "nearest" });
  };
  document.addEventListener("click", (event) => {
    const el = event.target.closest && event.target.closest(".rag-chip, .rag-cite-item");
    const key = el && keyOf(el);
    if (!key) return;
    event.preventDefault();
    event.stopPropagation();
    show(key);
  }, true);
}
"""
