import pytest

torch = pytest.importorskip("torch", reason="PyTorch missing (apt install python3-torch)")
import bench_torch  # noqa: E402
from model import ModelConfig, Restorer  # noqa: E402


@pytest.mark.parametrize("variant", ["full", "2d-cnn"])
def test_trimmed_temporal_blocks_give_the_full_windows_centre(variant):
    # The benchmark evaluates blocks 2 and 3 only where the centre needs them; that must be
    # the same network output as running every block on the whole window.
    torch.manual_seed(42)
    m = Restorer(ModelConfig.make("tiny", variant, image_size=64)).eval()
    for b in m.blocks:  # non-trivial BatchNorm statistics
        b.bn.running_mean.uniform_(-0.1, 0.1)
        b.bn.running_var.uniform_(0.5, 1.5)
    x = torch.randn(1, m.in_proj.out_channels, 5, 4, 4)
    with torch.no_grad():
        full = m.head(m.blocks(x)[:, :, 2])
        trimmed = bench_torch.centre_logits(m, x)
    assert torch.allclose(full, trimmed, atol=1e-5)
