"""Network architectures; importing this package registers every generator and discriminator.

Generators expose ``kind`` (``"image"``, ``"image+domain"``, ``"latent"``) and ``input_multiple``;
discriminators expose ``receptive_field`` (pixels, or ``None`` when global). Every net also has
``example_inputs(batch, size)`` returning correctly shaped random inputs for its ``forward``.
"""

from . import dcgan, patchgan, progan, resnet, stargan, stylegan, stylegan_adain, unet  # noqa: F401  (registration side effects)
from .layers import (
    NORMS,
    MinibatchDiscrimination,
    MinibatchStdDev,
    count_params,
    init_weights,
    norm_layer,
)
from .reference import adapt_reference_state_dict, clean_reference_state_dict

__all__ = [
    "NORMS",
    "MinibatchDiscrimination",
    "MinibatchStdDev",
    "adapt_reference_state_dict",
    "clean_reference_state_dict",
    "count_params",
    "init_weights",
    "norm_layer",
]
