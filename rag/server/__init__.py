"""`rag serve`: the HTTP API over the same library calls the CLI and the UI make.

- `service.py` holds the pipelines (one per answer model, sharing the index and the embedder)
  and runs answers on worker threads, so a request waiting for the model blocks nothing else;
- `bodies.py` declares the request bodies (validated by pydantic);
- `guards.py` is the body-size limit and the API-key check;
- `failures.py` turns every error into a JSON body with a 4xx status (5xx only for our own faults);
- `chat_completions.py` translates an answer to and from the OpenAI chat-completions shape;
- `app.py` wires the routes, mounts the Gradio chat at /ui and runs uvicorn.
"""
