"""Pictures for the examples: image grids (filters, samples) and curves.

matplotlib draws them, headless (the Agg backend). Without matplotlib an
image grid is still written, as a grayscale PNG made with zlib, and a curve
is skipped with a note.
"""
import os
import struct
import zlib

import numpy as np


def pyplot():
    """matplotlib.pyplot on the Agg backend, or None when matplotlib is missing."""
    try:
        import matplotlib
    except ImportError:
        return None
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    return plt


def tile(images, image_shape, n_cols=None, pad=1, normalize=True, pad_value=1.0):
    """Lays out flat images (one per row of `images`) in a grid, with `pad`
    pixels of value pad_value (white) between them. With normalize, each
    image is scaled to [0, 1] (filters have arbitrary ranges)."""
    images = np.asarray(images, dtype="float64")
    n = len(images)
    rows, cols = image_shape
    n_cols = n_cols or int(np.ceil(np.sqrt(n)))
    n_rows = int(np.ceil(n / float(n_cols)))
    out = np.full((n_rows * (rows + pad) - pad, n_cols * (cols + pad) - pad), pad_value)
    for k, img in enumerate(images):
        img = img.reshape(image_shape)
        if normalize:
            lo, hi = img.min(), img.max()
            img = (img - lo) / (hi - lo) if hi > lo else np.zeros_like(img)
        r, c = divmod(k, n_cols)
        out[r * (rows + pad):r * (rows + pad) + rows, c * (cols + pad):c * (cols + pad) + cols] = img
    return out


def _write_gray_png(path, pixels):
    """A grayscale 8-bit PNG of a 2-d array in [0, 1], enlarged 8 times."""
    img = np.kron(np.clip(pixels, 0, 1), np.ones((8, 8)))
    data = (img * 255).round().astype(np.uint8)
    raw = b"".join(b"\x00" + row.tobytes() for row in data)

    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", data.shape[1], data.shape[0], 8, 0, 0, 0, 0)
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9))
                + chunk(b"IEND", b""))


def save_grid(path, grid, title=None):
    """Writes a tiled grid (from tile) as a PNG and returns its path."""
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    plt = pyplot()
    if plt is None:
        _write_gray_png(path, grid)
        return path
    height = max(2.0, 6.0 * grid.shape[0] / max(grid.shape))
    fig, ax = plt.subplots(figsize=(6, height + (0.4 if title else 0)))
    ax.imshow(grid, cmap="gray", interpolation="nearest", vmin=0, vmax=1)
    ax.set_axis_off()
    if title:
        ax.set_title(title)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def save_curves(path, panels, xlabel, title=None):
    """Draws panels side by side, each a dict with "curves" ({label: values}
    plotted against 1, 2, ..., or {label: (x, y)}), "ylabel", and optionally
    "logy" and "hlines" ({label: y}, dashed reference lines). Returns the
    path, or None (with a note) when matplotlib is missing."""
    plt = pyplot()
    if plt is None:
        print("matplotlib is not installed: %s not drawn" % path)
        return None
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    fig, axes = plt.subplots(1, len(panels), figsize=(max(6, 5 * len(panels)), 4), squeeze=False)
    for ax, panel in zip(axes[0], panels):
        for label, values in panel["curves"].items():
            if isinstance(values, tuple):
                ax.plot(values[0], values[1], label=label)
            else:
                ax.plot(np.arange(1, len(values) + 1), values, label=label)
        for label, y in (panel.get("hlines") or {}).items():
            ax.axhline(y, color="gray", linestyle="--", label=label)
        if panel.get("logy"):
            ax.set_yscale("log")
        ax.set_xlabel(xlabel)
        ax.set_ylabel(panel["ylabel"])
        ax.legend()
        ax.grid(alpha=0.3)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path
