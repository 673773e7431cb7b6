import pytest

torch = pytest.importorskip("torch", reason="PyTorch missing (apt install python3-torch)")
from flops import flops_per_face_frame  # noqa: E402
from model import FHOG_PLANES, MFCC_COEFFS, VARIANTS, ModelConfig, Restorer, VQAutoencoder  # noqa: E402

S = 64  # tiny crops: latent 4x4, FHOG 16x16


def _inputs(cfg, b=2, length=6, seed=42):
    g = torch.Generator().manual_seed(seed)
    return (torch.rand(b, length, 3, S, S, generator=g), torch.rand(b, length, FHOG_PLANES, S // 4, S // 4, generator=g),
            torch.randn(b, length, cfg.context_size, MFCC_COEFFS, generator=g),
            torch.randn(b, 2, 4, S // 4, S // 4, generator=g))


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("ctx", [3, 5, 7])
def test_shapes_of_every_variant(variant, ctx):
    torch.manual_seed(42)
    cfg = ModelConfig.make("tiny", variant, context_size=ctx, image_size=S)
    m = Restorer(cfg).eval()
    lq, fh, mf, fl = _inputs(cfg)
    centres = (2, 3) if cfg.use_modulation else (2,)
    with torch.no_grad():
        out = m(lq, fh, mf, fl if cfg.use_modulation else None, centres)
    assert len(out["image"]) == len(centres)
    assert out["logits"][0].shape == (2, cfg.codes, S // 16, S // 16)
    assert out["codes"][0].shape == (2, S // 16, S // 16)
    assert out["image"][0].shape == (2, 3, S, S)
    assert ("z_l" in out) == cfg.use_audio
    if cfg.use_audio:
        assert out["z_l"].shape == out["h_m"].shape == (2, cfg.audio_dim)
    assert (m.modulation is None) == (variant == "no-smoothing")


def test_2d_cnn_centre_ignores_other_frames_and_3d_does_not():
    for variant, independent in (("2d-cnn", True), ("full", False)):
        torch.manual_seed(42)
        cfg = ModelConfig.make("tiny", variant, image_size=S)
        m = Restorer(cfg).eval()
        lq, fh, mf, fl = _inputs(cfg, length=5)
        with torch.no_grad():
            a = m(lq, fh, mf, fl[:, :1])["logits"][0]
            lq2 = lq.clone()
            lq2[:, 0] = 1 - lq2[:, 0]  # change frame t-2 only
            b = m(lq2, fh, mf, fl[:, :1])["logits"][0]
        assert torch.allclose(a, b) == independent


def test_fresh_skip_and_modulation_are_identity():
    """Zero-initialised fuse/modulation layers: a fresh stage-2 model decodes its codes exactly like
    the stage-1 decoder, so stage 2 starts from the stage-1 reconstruction path."""
    torch.manual_seed(42)
    cfg = ModelConfig.make("tiny", image_size=S)
    m = Restorer(cfg).eval()
    lq, fh, mf, fl = _inputs(cfg, length=5)
    with torch.no_grad():
        out = m(lq, fh, mf, fl[:, :1])
        plain = m.decoder(m.quantizer.lookup(out["codes"][0]))
    assert torch.allclose(out["image"][0], plain, atol=1e-6)


def test_residual_output_starts_as_the_input_and_unfreezes_the_decoder():
    """output_residual: after load_stage1 the RGB conv is zero, so a fresh model returns the
    centre LQ crop itself (the bicubic baseline); the decoder is then trainable."""
    torch.manual_seed(42)
    cfg = ModelConfig.make("tiny", image_size=S, output_residual=True)
    m = Restorer(cfg).eval()
    m.load_stage1(VQAutoencoder(ModelConfig.make("tiny", image_size=S)))
    lq, fh, mf, fl = _inputs(cfg, length=5)
    with torch.no_grad():
        out = m(lq, fh, mf, fl[:, :1])
    assert torch.equal(out["image"][0], lq[:, 2])
    assert m.frozen_parameters() == []
    assert len(Restorer(ModelConfig.make("tiny", image_size=S)).frozen_parameters()) > 0
    assert ModelConfig.from_metadata(cfg.to_metadata()).output_residual is True


def test_vq_autoencoder_and_ema_codebook():
    torch.manual_seed(42)
    cfg = ModelConfig.make("tiny", image_size=S)
    ae = VQAutoencoder(cfg).train()
    x = torch.rand(4, 3, S, S)
    y, idx, commit = ae(x)
    assert y.shape == x.shape and idx.shape == (4, S // 16, S // 16) and commit.item() >= 0
    before = ae.quantizer.embed.clone()
    ae(x)
    assert not torch.equal(before, ae.quantizer.embed)  # EMA moved the codebook
    ae.eval()
    frozen = ae.quantizer.embed.clone()
    ae(x)
    assert torch.equal(frozen, ae.quantizer.embed)      # no update outside training
    assert int((ae.quantizer.usage > 0).sum()) >= 1


def test_realtime_profile_budget():
    total, naive, parts = flops_per_face_frame(ModelConfig.make("realtime"))
    print(f"realtime: {total / 1e9:.3f} GFLOP per face-frame streaming ({naive / 1e9:.3f} per naive window)")
    assert total <= 1.0e9
    assert total < naive


def test_metadata_round_trip():
    cfg = ModelConfig.make("quality", "no-audio", context_size=7)
    again = ModelConfig.from_metadata(cfg.to_metadata())
    assert again == cfg and again.kernel_t == 3 and not again.use_audio
