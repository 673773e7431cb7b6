"""Losses and metrics.

Stage 2 (DESIGN.md "Model", the paper's weights):
    CE(code logits, HQ codes) + 1.0 L1(x_hat, x) + 0.5 triplet(z_l, h(M), h(M'); margin 1)
    + 0.2 (1 - SSIM(x_hat_t, x_hat_{t+1}))
Stage 1 (our choice, no pretrained perceptual network is reachable offline):
    L1 + 0.5 (1 - SSIM) + 0.25 commitment.
SSIM is Wang et al.'s with a Gaussian window (11 taps, sigma 1.5), K1 = 0.01, K2 = 0.03, data range
1, 'valid' borders, averaged over channels: the same definition as scikit-image's
structural_similarity(gaussian_weights=True, sigma=1.5, use_sample_covariance=False,
data_range=1, channel_axis=...), which the evaluation uses.
"""
import torch
import torch.nn.functional as F

W_CE, W_L1, W_TRIPLET, W_TEMPORAL = 1.0, 1.0, 0.5, 0.2
W_STAGE1_SSIM, W_COMMIT = 0.5, 0.25


def _gauss(size=11, sigma=1.5, dtype=torch.float32):
    # Built in the input's dtype: a float32 window cast to float64 sums to 1 only to ~6e-8, which
    # moves the evaluation's float64 SSIM of smooth face crops by ~5e-6 from scikit-image's.
    t = torch.arange(size, dtype=dtype) - size // 2
    g = torch.exp(-0.5 * (t / sigma) ** 2)
    return g / g.sum()


def ssim(x, y, data_range=1.0):
    """Mean SSIM over batch, channels and valid positions. x, y: [B, C, H, W]."""
    c = x.shape[1]
    g = _gauss(dtype=x.dtype).to(x.device)
    kh = g.view(1, 1, 1, -1).repeat(c, 1, 1, 1)
    kv = g.view(1, 1, -1, 1).repeat(c, 1, 1, 1)
    blur = lambda z: F.conv2d(F.conv2d(z, kh, groups=c), kv, groups=c)
    c1, c2 = (0.01 * data_range) ** 2, (0.03 * data_range) ** 2
    mx, my = blur(x), blur(y)
    vx = blur(x * x) - mx * mx
    vy = blur(y * y) - my * my
    cov = blur(x * y) - mx * my
    s = ((2 * mx * my + c1) * (2 * cov + c2)) / ((mx * mx + my * my + c1) * (vx + vy + c2))
    return s.mean()


def psnr(x, y, data_range=1.0):
    """Mean over the batch of per-image PSNR (dB)."""
    mse = (x - y).pow(2).flatten(1).mean(1).clamp_min(1e-12)
    return (10 * torch.log10(data_range ** 2 / mse)).mean()


def triplet(anchor, positive, negative, margin=1.0):
    """mean(max(0, |a - p| - |a - n| + margin)), Euclidean distances. [N, D] each."""
    dp = ((anchor - positive).pow(2).sum(-1) + 1e-12).sqrt()
    dn = ((anchor - negative).pow(2).sum(-1) + 1e-12).sqrt()
    return F.relu(dp - dn + margin).mean()


def stage1_loss(recon, target, commit):
    l1 = (recon - target).abs().mean()
    s = ssim(recon.clamp(0, 1), target)
    total = l1 + W_STAGE1_SSIM * (1 - s) + W_COMMIT * commit
    return total, {"l1": l1.item(), "ssim": s.item(), "commit": commit.item()}


def stage2_loss(out, hq_codes, hq_images, h_neg=None, temporal=True):
    """out: Restorer output; hq_codes/hq_images: lists per centre (codes [B, h, w], images
    [B, 3, H, W] in [0, 1]); h_neg: h(M') of the centre frame (None without audio)."""
    n = len(out["logits"])
    ce = sum(F.cross_entropy(out["logits"][i], hq_codes[i]) for i in range(n)) / n
    l1 = sum((out["image"][i] - hq_images[i]).abs().mean() for i in range(n)) / n
    total = W_CE * ce + W_L1 * l1
    terms = {"ce": ce.item(), "l1": l1.item()}
    if h_neg is not None and "z_l" in out:
        tr = triplet(out["z_l"], out["h_m"], h_neg)
        total = total + W_TRIPLET * tr
        terms["triplet"] = tr.item()
    if temporal and n >= 2:
        ts = ssim(out["image"][0].clamp(0, 1), out["image"][1].clamp(0, 1))
        total = total + W_TEMPORAL * (1 - ts)
        terms["temporal_ssim"] = ts.item()
    with torch.no_grad():
        terms["code_acc"] = (out["codes"][0] == hq_codes[0]).float().mean().item()
        terms["psnr"] = psnr(out["image"][0].clamp(0, 1), hq_images[0]).item()
    return total, terms
