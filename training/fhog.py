"""FHOG features equal to dlib's `extract_fhog_features(img, hog, cell_size, pad, pad)` (planar).

Why a PyTorch version: stage 2 sees FHOG of *degraded* crops, and degradation is random per
sample and per epoch. Computing it on the fly here keeps the data loader in one process (the Swift
route would need a video encode, a GStreamer decode and a tracker run per batch, and its tracker
would place different boxes on the degraded frames than the ground-truth HQ boxes we crop with).
Train/serve parity is then a test: this module against dlib itself (Tests/Fixtures/dlib) and
against the Swift engine's own FHOG of 600 real crops (`facerestored features`), see
tests/test_fhog.py and data.py --check-fhog.

Algorithm (Felzenszwalb et al. 2010) written here for torch; dlib 19.24's exact conventions (its
4-digit direction table, tie rules, float32 arithmetic) were matched by reading the installed
header's behaviour and probing it with small images, then checked on real crops:
  1. per interior pixel, centred differences in each colour channel; keep the channel with the
     largest squared magnitude (tie rule depends on dlib's SIMD/scalar column split, see below);
  2. snap the gradient to one of 18 signed orientations (9 unit directions and their opposites,
     strict '>' so earlier bins win ties) and vote its magnitude into the 4 neighbouring cells
     with bilinear weights (cell centres at (i + 0.5) * cell - 0.5);
  3. per cell, energy = sum over the 9 unsigned bins of (h[o] + h[o+9])^2; each output cell is
     normalised by the 4 2x2-cell blocks around it, clipped at 0.2: 18 signed features and 9
     unsigned ones (half the sum over the 4 normalisations), plus 4 texture features
     (0.2357 * sum of the clipped signed features per normalisation);
  4. the (cells-2)^2 grid is placed in a zero border of (pad-1)/2 cells (dlib's filter padding).
Everything is float32, as in dlib (SIMD code for most columns, float scalars for the rest).
"""
import torch

PLANES = 31


# dlib uses a 4-digit table, not exact cos/sin: with it, directions 4 and 5 tie exactly for a
# vertical gradient (dx = 0), and the first wins. Exact values would break that tie differently.
_DIRS = ((1.0000, 0.0000), (0.9397, 0.3420), (0.7660, 0.6428), (0.500, 0.8660), (0.1736, 0.9848),
         (-0.1736, 0.9848), (-0.5000, 0.8660), (-0.7660, 0.6428), (-0.9397, 0.3420))


def fhog(img, cell_size=4, pad=3):
    """img: [B, 3, H, W] (any real dtype, values 0..255, integral for exact parity) or [B, H, W, 3]
    uint8. Returns float32 [B, 31, rows, cols]; for 256x256 and cell 4: [B, 31, 64, 64]."""
    if img.dtype == torch.uint8 and img.shape[-1] == 3:
        img = img.permute(0, 3, 1, 2)
    x = img.to(torch.float32)
    B, C, H, W = x.shape
    if C != 3:
        raise ValueError("fhog expects RGB input")
    cells_r = int(H / cell_size + 0.5)
    cells_c = int(W / cell_size + 0.5)
    hog_r, hog_c = max(cells_r - 2, 0), max(cells_c - 2, 0)
    off = (pad - 1) // 2
    out = torch.zeros(B, PLANES, hog_r + pad - 1, hog_c + pad - 1)
    if hog_r == 0 or hog_c == 0:
        return out
    vis_r = min(cells_r * cell_size, H) - 1
    vis_c = min(cells_c * cell_size, W) - 1
    ys = torch.arange(1, vis_r)
    xs = torch.arange(1, vis_c)
    # Step 1: centred differences on the visible interior, strongest channel per pixel. dlib's
    # SIMD columns (8 at a time from x = 1 while x < vis_c - 7) let the *later* channel win a
    # tie (green over red, blue over both); its scalar tail lets the earlier one win.
    dx = x[:, :, 1:vis_r, 2:vis_c + 1] - x[:, :, 1:vis_r, 0:vis_c - 1]
    dy = x[:, :, 2:vis_r + 1, 1:vis_c] - x[:, :, 0:vis_r - 1, 1:vis_c]
    mag = dx * dx + dy * dy
    simd_end = 1 + 8 * max(0, -(-(vis_c - 8) // 8))  # first column of the scalar tail
    simd = (xs < simd_end)[None, None, :]
    gx, gy, best = dx[:, 0], dy[:, 0], mag[:, 0]
    for c in (1, 2):
        take = torch.where(simd, mag[:, c] >= best, mag[:, c] > best)
        gx = torch.where(take, dx[:, c], gx)
        gy = torch.where(take, dy[:, c], gy)
        best = torch.where(take, mag[:, c], best)
    v = torch.sqrt(best)
    # Step 2: orientation snapping with dlib's tie rules.
    dirs = torch.tensor(_DIRS, dtype=torch.float32)
    dot = gx[..., None] * dirs[:, 0] + gy[..., None] * dirs[:, 1]  # [B, h, w, 9]
    # dlib scans o = 0..8 keeping the first strictly larger of (dot, -dot): that is the first
    # index of the largest |dot|, signed bin o if dot > 0 else o + 9 (|dot| = 0: bin 0, no vote).
    mag_dot = dot.abs()
    top = mag_dot.max(-1, keepdim=True).values
    first = ((mag_dot == top).to(torch.float32) * torch.arange(9, 0, -1, dtype=torch.float32)).argmax(-1)
    signed_pos = torch.gather(dot, -1, first[..., None])[..., 0] > 0
    best_o = torch.where(signed_pos | (top[..., 0] == 0), first, first + 9)
    # Bilinear votes into a histogram with a 1-cell border (index + 1), as dlib lays it out.
    yp = (ys.to(torch.float32) + 0.5) / cell_size - 0.5
    xp = (xs.to(torch.float32) + 0.5) / cell_size - 0.5
    iy, ix = torch.floor(yp).long(), torch.floor(xp).long()
    vy0, vx0 = yp - iy, xp - ix
    vy1, vx1 = 1.0 - vy0, 1.0 - vx0
    hr, hc = cells_r + 2, cells_c + 2
    hist = torch.zeros(B, 18 * hr * hc)
    for dyc, wy in ((0, vy1), (1, vy0)):
        for dxc, wx in ((0, vx1), (1, vx0)):
            w = wy[:, None] * wx[None, :] * v
            idx = (best_o * hr + (iy + 1 + dyc)[None, :, None]) * hc + (ix + 1 + dxc)[None, None, :]
            hist.scatter_add_(1, idx.reshape(B, -1), w.reshape(B, -1))
    hist = hist.view(B, 18, hr, hc)
    cell = hist[:, :, 1:cells_r + 1, 1:cells_c + 1]
    # Step 3: block energies and normalisation, in float32 and in dlib's order of operations:
    # nn = 0.2*sqrt(block + eps), feature = min(h, nn) * (0.1 / nn)  ==  0.5 * min(h / |block|, 0.2).
    unsigned = cell[:, :9] + cell[:, 9:]
    norm = (unsigned * unsigned).sum(1)
    block = ((norm[:, :-1, :-1] + norm[:, :-1, 1:]) + norm[:, 1:, :-1]) + norm[:, 1:, 1:]
    nn = 0.2 * torch.sqrt(block + 0.0001)
    # The four blocks that contain output cell (y+1, x+1): bottom-right, top-right, bottom-left, top-left.
    nns = [nn[:, 1:hog_r + 1, 1:hog_c + 1], nn[:, 0:hog_r, 1:hog_c + 1],
           nn[:, 1:hog_r + 1, 0:hog_c], nn[:, 0:hog_r, 0:hog_c]]
    centre = cell[:, :, 1:hog_r + 1, 1:hog_c + 1]
    ucentre = unsigned[:, :, 1:hog_r + 1, 1:hog_c + 1]
    signed = torch.stack([torch.minimum(centre, b[:, None]) * (0.1 / b)[:, None] for b in nns], 0)
    uns = torch.stack([torch.minimum(ucentre, b[:, None]) * (0.1 / b)[:, None] for b in nns], 0)
    texture = signed.sum(2) * (2 * 0.2357)  # [4, B, r, c]: one texture value per normalisation
    feats = [signed.sum(0), uns.sum(0), texture.permute(1, 0, 2, 3)]
    # Step 4: zero border from the filter padding.
    out[:, :, off:off + hog_r, off:off + hog_c] = torch.cat(feats, 1).to(torch.float32)
    return out
