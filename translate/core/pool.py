"""Image history pool (Shrivastava et al. 2017), as used by CycleGAN's discriminators."""

from __future__ import annotations

import torch
from torch import Tensor


class ImagePool:
    """Returns a mix of current and earlier fakes: with p = 0.5 an image is swapped with a stored one."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.images: list[Tensor] = []

    def query(self, images: Tensor) -> Tensor:
        """[N, C, H, W] -> [N, C, H, W] drawn from the pool (the input itself when size is 0)."""
        if self.size == 0:
            return images
        out = []
        for img in images.detach():
            img = img.unsqueeze(0)
            if len(self.images) < self.size:
                self.images.append(img.clone())
                out.append(img)
            elif torch.rand(()).item() > 0.5:
                j = int(torch.randint(0, self.size, ()).item())
                out.append(self.images[j].clone())
                self.images[j] = img.clone()
            else:
                out.append(img)
        return torch.cat(out, 0)

    def state_dict(self) -> dict:
        return {"size": self.size, "images": [t.cpu() for t in self.images]}

    def load_state_dict(self, state: dict, device: torch.device | str = "cpu") -> None:
        self.size = int(state["size"])
        self.images = [t.to(device) for t in state["images"]]
