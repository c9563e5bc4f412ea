"""ONNX export of generators (``translate export``): one graph per generator, parity-checked.

``exporter.py`` exports a net or a model file and writes the metadata, ``parity.py`` compares the
graph with torch, ``graph.py`` is the module that is traced (and its fp16 copy), ``cache.py`` keeps
exports of torch models for ``--backend onnx``. Files run anywhere on ``translate.runtime``.
"""
