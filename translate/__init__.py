"""gan-translate: image-to-image translation with GANs on one shared adversarial core.

The import package is deliberately light: importing ``translate`` pulls in neither torch
nor gradio, so ``translate.runtime`` can be used in torch-free deployments.
"""

__version__ = "0.1.0"
