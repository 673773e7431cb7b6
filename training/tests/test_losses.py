import math

import pytest

torch = pytest.importorskip("torch", reason="PyTorch missing (apt install python3-torch)")
import losses  # noqa: E402


def test_triplet_hand_made():
    a = torch.tensor([[0.0, 0.0], [0.0, 0.0]])
    p = torch.tensor([[3.0, 4.0], [3.0, 4.0]])          # |a - p| = 5
    n = torch.tensor([[0.0, 1.0], [0.0, 10.0]])         # |a - n| = 1, then 10
    # max(0, 5 - 1 + 1) = 5 and max(0, 5 - 10 + 1) = 0 -> mean 2.5
    assert losses.triplet(a, p, n).item() == pytest.approx(2.5, abs=1e-5)
    assert losses.triplet(a[:1], p[:1], n[:1], margin=0.0).item() == pytest.approx(4.0, abs=1e-5)


def test_ssim_identical_is_one_and_drops_with_noise():
    g = torch.Generator().manual_seed(42)
    x = torch.rand(2, 3, 32, 32, generator=g)
    assert losses.ssim(x, x).item() == pytest.approx(1.0, abs=1e-6)
    noisy = (x + 0.2 * torch.randn(x.shape, generator=g)).clamp(0, 1)
    assert losses.ssim(x, noisy).item() < 0.9


def test_psnr_known_value():
    x = torch.zeros(1, 3, 8, 8)
    assert losses.psnr(x, x + 0.1).item() == pytest.approx(20.0, abs=1e-4)


def _out(n_centres, audio=True, k=4):
    g = torch.Generator().manual_seed(1)
    out = {"logits": [torch.zeros(2, k, 3, 3) for _ in range(n_centres)],
           "codes": [torch.zeros(2, 3, 3, dtype=torch.long) for _ in range(n_centres)],
           "image": [torch.rand(2, 3, 16, 16, generator=g) for _ in range(n_centres)]}
    if audio:
        out["z_l"], out["h_m"] = torch.zeros(2, 2), torch.tensor([[3.0, 4.0], [3.0, 4.0]])
    return out


def test_stage2_terms_and_weights():
    out = _out(2)
    codes = [torch.zeros(2, 3, 3, dtype=torch.long)] * 2
    imgs = [o.clone() for o in out["image"]]             # L1 = 0
    h_neg = torch.tensor([[0.0, 1.0], [0.0, 10.0]])     # triplet = 2.5 (see above)
    total, terms = losses.stage2_loss(out, codes, imgs, h_neg, temporal=True)
    ce = math.log(4)                                     # uniform logits over K = 4
    ssim_t = losses.ssim(out["image"][0], out["image"][1]).item()
    assert terms["ce"] == pytest.approx(ce, abs=1e-5)
    assert terms["l1"] == pytest.approx(0.0, abs=1e-7)
    assert terms["triplet"] == pytest.approx(2.5, abs=1e-5)
    assert total.item() == pytest.approx(ce + 0.5 * 2.5 + 0.2 * (1 - ssim_t), abs=1e-4)


def test_stage2_variants_drop_terms():
    out = _out(1, audio=False)
    codes = [torch.zeros(2, 3, 3, dtype=torch.long)]
    _, terms = losses.stage2_loss(out, codes, out["image"], None, temporal=False)
    assert "triplet" not in terms and "temporal_ssim" not in terms


def test_stage1_loss_perfect_reconstruction():
    x = torch.rand(1, 3, 16, 16)
    total, terms = losses.stage1_loss(x, x, torch.tensor(0.0))
    assert total.item() == pytest.approx(0.0, abs=1e-5)
