"""The torch device a model runs on: the GPU when there is one, unless told otherwise."""

from __future__ import annotations


def pick_device(choice: str) -> str:
    """`auto` means CUDA when torch sees a GPU, otherwise the CPU.

    Example:
        >>> pick_device("cpu")
        'cpu'
    """
    if choice != "auto":
        return choice
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"
