"""Helpers of the Gradio web demo (``translate.webapp.app``): model catalogue and backends, per-kind
controls, request validation and handling, model cards. Nothing here imports gradio; only
``translate.webapp.app`` does, lazily.
"""
