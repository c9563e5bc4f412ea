"""translate.nets.probe: too-small training sizes are found on the meta device and named in one line."""

import pytest
import torch
from torch import nn

from translate.errors import ConfigError
from translate.nets.patchgan import NLayerDiscriminator
from translate.nets.probe import check_input_size, smallest_size
from translate.nets.unet import UnetGenerator


def test_patchgan_smallest_size_is_three_times_its_stride():
    # 3 stride-2 convs (/8), then two stride-1 k4 p1 convs (-1 each): s/8 - 2 >= 1 and the normed map > 1x1
    d = NLayerDiscriminator(in_channels=6, ndf=8, n_layers=3, norm="instance")
    assert smallest_size(d, batch=1) == 24
    check_input_size({"D": d}, 24, 1)
    with pytest.raises(ConfigError, match=r"16: too small for D .*--size 24 or more"):
        check_input_size({"D": d}, 16, 1)


def test_unet_256_needs_256_px_at_batch_1():
    g = UnetGenerator(num_downs=8, ngf=8)  # unet_256: 8 downsamplings, batch norm
    g.translate_spec = {"arch": "unet_256", "options": {}}
    with pytest.raises(ConfigError, match=r"too small for G \(unet_256\).*--size 256 or more"):
        check_input_size({"G": g}, 128, 1)
    check_input_size({"G": g}, 256, 1)


def test_probe_leaves_weights_alone_and_ignores_other_errors():
    d = NLayerDiscriminator(in_channels=6, ndf=8, n_layers=2)
    before = {k: v.clone() for k, v in d.state_dict().items()}
    check_input_size({"D": d}, 32, 2)
    assert all(torch.equal(before[k], v) for k, v in d.state_dict().items())  # running stats untouched

    class Broken(nn.Module):
        def example_inputs(self, batch=1, size=None):
            return (torch.zeros(batch, 3, size, size),)

        def forward(self, x):
            raise RuntimeError("something unrelated to sizes")

    check_input_size({"X": Broken(), "Y": nn.Linear(2, 2)}, 32, 1)  # not a size problem: training will tell
