"""`rag ui`: the Gradio app, a chat over the documents with their sources, and a Corpus tab.

One `Pipeline` serves everyone. Answers stream through Gradio's queue; the pipeline
answers one question at a time, so the answer events share a small concurrency
limit and the rest wait their turn with the queue showing their place, while
light events (the sources panel is client-side) never wait behind an answer.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

# Before Gradio is imported: no telemetry and no version check, since the app works offline.
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

import gradio as gr  # noqa: E402

from rag.answering.pipeline import Pipeline  # noqa: E402
from rag.config import Settings  # noqa: E402
from rag.errors import RagError  # noqa: E402
from rag.loading import document_title  # noqa: E402
from rag.store.base import Store  # noqa: E402
from rag.ui import corpus  # noqa: E402
from rag.ui.asking import Asker  # noqa: E402
from rag.ui.assets import CSS, JS  # noqa: E402
from rag.ui.chat import Turn, chat_messages, converse  # noqa: E402
from rag.ui.render import waiting_html  # noqa: E402
from rag.ui.examples import example_questions  # noqa: E402
from rag.ui.sources import EMPTY  # noqa: E402

ANSWER_CONCURRENCY = 2  # answers in flight; the pipeline generates one at a time, the next one waits ready
MAX_UPLOAD = "200mb"


def serve(settings: Settings, *, host: str, port: int) -> None:
    """Load the index (building it if missing) and the answer model, then serve until Ctrl+C."""
    pipeline = Pipeline(settings, show_progress=True)
    _say(f"loading the index at {settings.index_dir}")
    store = pipeline.open_index()  # builds the index from settings.corpus if there is none
    if pipeline.index_report:
        _say(f"built the index: {len(store.manifest.files)} files, {pipeline.index_report.chunk_count} chunks")
    _say("loading the answer model")
    pipeline.load_generator()  # loaded now so the first question does not wait for it
    app = build_app(pipeline)
    app.launch(
        server_name=host,
        server_port=port,
        share=False,
        inbrowser=False,
        quiet=True,
        show_error=True,
        enable_monitoring=False,
        footer_links=["api", "settings"],
        prevent_thread_lock=True,
        **page_options(),
    )
    print(f"rag ui: running at {app.local_url} (Ctrl+C stops it)", flush=True)
    app.block_thread()


def page_options() -> dict[str, Any]:
    """How the page looks and what it accepts, for `launch` (`rag ui`) and `mount_gradio_app` (`rag serve`) alike."""
    return dict(theme=theme(), css=CSS, js=JS, max_file_size=MAX_UPLOAD, ssr_mode=False, pwa=False, mcp_server=False)


def theme() -> gr.themes.Base:
    """Gradio's default theme (fonts bundled with Gradio, nothing fetched) in calmer colours."""
    return gr.themes.Default(primary_hue="indigo", neutral_hue="slate")


def build_app(pipeline: Pipeline) -> gr.Blocks:
    """The page around one shared pipeline, with its queue configured; launch it with `css=CSS, js=JS`."""
    settings = pipeline.settings
    store = pipeline.open_index()
    with gr.Blocks(title="rag · ask your documents", analytics_enabled=False) as app:
        gr.Markdown(
            "## Ask your documents\nAnswers come only from the indexed files. "
            "Every figure is checked against the passage it cites; click a citation to read it in place."
        )
        with gr.Tabs():
            with gr.Tab("Ask", id="ask"):
                chatbot = _ask_tab(Asker(pipeline), settings.top_k, store)
            with gr.Tab("Corpus", id="corpus"):
                table, summary = _corpus_tab(pipeline, settings, store)

        def refresh() -> tuple[Any, ...]:
            """A newly opened page shows the corpus as it is now, other people's uploads included."""
            current = pipeline.open_index()
            return (
                gr.Chatbot(examples=_examples(current)),
                corpus.file_rows(current.manifest),
                corpus.summary_markdown(current.manifest, settings.corpus),
            )

        app.load(refresh, None, [chatbot, table, summary], api_visibility="private", queue=False)
    return app.queue(default_concurrency_limit=ANSWER_CONCURRENCY)


def _ask_tab(asker: Asker, default_top_k: int, store: Store) -> gr.Chatbot:
    """The chat, its settings and the sources panel, with their events; returns the chatbot."""
    turns = gr.State([])
    with gr.Row(equal_height=False):
        with gr.Column(scale=3, min_width=380):
            chatbot = gr.Chatbot(
                elem_id="rag-chat",
                show_label=False,
                height=560,
                render_markdown=False,  # messages are HTML built (and escaped) by ui/render.py
                latex_delimiters=[],
                buttons=["copy"],
                feedback_options=None,
                examples=_examples(store),
                placeholder="Ask a question about the documents, or start from an example.",
            )
            with gr.Row(equal_height=True):
                question = gr.Textbox(
                    elem_id="rag-question",
                    show_label=False,
                    placeholder="Ask about the documents… (Enter sends)",
                    scale=5,
                    max_lines=4,
                    autofocus=True,
                )
                ask = gr.Button("Ask", variant="primary", scale=1, min_width=80, elem_id="rag-ask")
            with gr.Row():
                new_chat = gr.Button("New chat", size="sm", scale=0, min_width=110)
            with gr.Accordion("Settings", open=False):
                passages = gr.Slider(
                    1,
                    20,
                    value=default_top_k,
                    step=1,
                    label="Passages given to the model",
                    info="More passages give the model more to go on, and take longer to read.",
                )
        with gr.Column(scale=2, min_width=320):
            gr.Markdown("### Sources")
            sources = gr.HTML(EMPTY, elem_id="rag-sources", js_on_load=None)

    asking = gr.State("")  # the question sent, while it waits for its turn and is answered

    def accept(message: str, history: list[Turn]) -> tuple[Any, ...]:
        """Show the question at once, even while the model is busy with someone else's."""
        if not message.strip():
            return gr.skip(), gr.skip(), ""
        return chat_messages(history, (message.strip(), waiting_html())), "", message

    def respond(message: str, k: float, history: list[Turn]) -> Iterator[tuple[Any, ...]]:
        for update in converse(asker, message, int(k), history):
            yield update.messages, update.turns, gr.skip() if update.sources is None else update.sources

    def ask_api(question: str, top_k: int = default_top_k) -> dict[str, Any]:
        """Answer one question, without a conversation: the JSON of `rag ask --json`, or {"error": why}."""
        try:
            *_, answer = asker.stream(question, [], top_k)
        except RagError as exc:
            return {"question": question, "error": str(exc)}
        return answer.to_dict()  # type: ignore[union-attr]

    private: dict[str, Any] = dict(api_visibility="private")
    answering: dict[str, Any] = dict(concurrency_id="answer", concurrency_limit=ANSWER_CONCURRENCY, **private)
    shown = dict(fn=accept, inputs=[question, turns], outputs=[chatbot, question, asking], queue=False, **private)
    answered = dict(
        fn=respond,
        inputs=[asking, passages, turns],
        outputs=[chatbot, turns, sources],
        show_progress_on=[chatbot],  # the queue position and timer; the sources panel keeps its content meanwhile
        **answering,
    )
    asked = [
        question.submit(**shown).then(**answered),
        ask.click(**shown).then(**answered),
        chatbot.example_select(_example_text, None, question, queue=False, **private).then(**shown).then(**answered),
    ]
    gr.api(ask_api, api_name="ask", concurrency_id="answer", concurrency_limit=ANSWER_CONCURRENCY)
    for cleared in (new_chat.click, chatbot.clear):  # the chatbot's own bin button starts over too
        cleared(_fresh_chat, None, [chatbot, turns, sources], cancels=asked, queue=False, **private)
    return chatbot


def _corpus_tab(pipeline: Pipeline, settings: Settings, store: Store) -> tuple[gr.Dataframe, gr.Markdown]:
    """The indexed files, uploads and re-indexing; returns the table and the summary line."""
    summary = gr.Markdown(corpus.summary_markdown(store.manifest, settings.corpus), elem_id="rag-corpus-summary")
    table = gr.Dataframe(
        corpus.file_rows(store.manifest), headers=["File", "Chunks", "Size", "About"], interactive=False, elem_id="rag-files"
    )
    upload = gr.File(
        label="Add documents: " + ", ".join(corpus.UPLOAD_TYPES),
        file_count="multiple",
        file_types=corpus.UPLOAD_TYPES,
        type="filepath",
        elem_id="rag-upload",
    )
    reindex = gr.Button("Re-index the corpus folder", elem_id="rag-reindex")
    build_log = gr.Markdown(elem_id="rag-build-log")

    def index(progress: gr.Progress = gr.Progress()) -> tuple[Any, ...]:
        try:
            report = corpus.rebuild(pipeline, settings, lambda done, what: progress(done, desc=what))
        except RagError as exc:
            return f"**Could not index:** {exc}", gr.skip(), gr.skip()
        manifest = pipeline.open_index().manifest
        return (
            corpus.report_markdown(report),
            corpus.file_rows(manifest),
            corpus.summary_markdown(manifest, settings.corpus),
        )

    def add_files(paths: list[str] | None, progress: gr.Progress = gr.Progress()) -> tuple[Any, ...]:
        if not paths:
            return gr.skip(), gr.skip(), gr.skip(), gr.skip()
        progress(0.05, desc="Copying into the corpus folder")
        try:
            names = corpus.save_uploads(paths, settings.corpus)
        except RagError as exc:
            return f"**Could not add the files:** {exc}", gr.skip(), gr.skip(), None
        log, rows, text = index(progress)
        return f"Added {', '.join(f'`{n}`' for n in names)}.\n\n{log}", rows, text, None

    indexing: dict[str, Any] = dict(concurrency_id="index", concurrency_limit=1, api_visibility="private")
    upload.upload(add_files, upload, [build_log, table, summary, upload], **indexing)
    reindex.click(index, None, [build_log, table, summary], **indexing)
    return table, summary


def _examples(store: Store) -> list[dict[str, str]]:
    titles = {source: document_title(text, Path(source).suffix.lower()) for source, text in store.documents.items()}
    return [{"text": q} for q in example_questions(store.documents, titles)]


def _fresh_chat() -> tuple[list[Any], list[Turn], str]:
    return [], [], EMPTY


def _example_text(event: gr.SelectData) -> str:
    return event.value["text"]


def _say(message: str) -> None:
    print(f"rag ui: {message}", file=sys.stderr, flush=True)
