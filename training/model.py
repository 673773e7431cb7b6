"""PyTorch mirror of the restoration model (DESIGN.md "Model").

Stage 1: VQ autoencoder (Encoder -> VectorQuantizer with EMA codebook -> Decoder).
Stage 2: Restorer = LQ encoder (initialised from stage 1) + FHOG pooled to the latent grid +
h(MFCC context) -> 3 blocks conv3d(kt x 3 x 3) + BN + ReLU over the 5-frame window -> code
logits of the centre frame -> frozen codebook and decoder, with a fidelity skip from the LQ
encoder (weight w) and a temporal modulation x * (1 + a) + b from the audio embedding and the
flow to t-1, t+1 (a is an offset so that a fresh modulation is the identity).

Only ops the Swift engine lists are used: conv2d/conv3d, ReLU, nearest up-sampling, BatchNorm
(foldable, only in the temporal blocks), average pooling, linear layers, VQ lookup. Every
hyper-parameter lives in ModelConfig and goes to the export's metadata.
"""
import dataclasses
import json

import torch
import torch.nn as nn
import torch.nn.functional as F

VARIANTS = ("full", "no-audio", "no-smoothing", "2d-cnn", "random-negatives")
FHOG_PLANES = 31
MFCC_COEFFS = 80
# Levels are named by their down-sampling factor: encoder 2, 4, 8, 16; decoder 16, 8, 4, 2, 1.
PROFILES = {
    # Sized for 30 fps on 2 CPU cores: ~0.8 GFLOP per face-frame (see flops_per_face_frame).
    "realtime": dict(enc_channels=(12, 24, 48, 64), enc_res=(0, 0, 1, 1),
                     dec_channels=(64, 48, 24, 12, 6), dec_res=(1, 0, 0, 0, 0),
                     code_dim=32, codes=256, temporal_channels=32, audio_dim=32, audio_hidden=128,
                     modulation_hidden=16),
    # Offline/GPU: wider everywhere, more codes; ~7 GFLOP, kept under 20 MB of float32 weights.
    "quality": dict(enc_channels=(32, 64, 128, 192), enc_res=(0, 1, 1, 1),
                    dec_channels=(192, 128, 64, 32, 16), dec_res=(1, 1, 1, 0, 0),
                    code_dim=64, codes=1024, temporal_channels=96, audio_dim=64, audio_hidden=256,
                    modulation_hidden=32),
    # Unit tests only.
    "tiny": dict(enc_channels=(4, 4, 8, 8), enc_res=(0, 0, 0, 1), dec_channels=(8, 8, 4, 4, 4),
                 dec_res=(1, 0, 0, 0, 0), code_dim=4, codes=16, temporal_channels=8, audio_dim=8,
                 audio_hidden=16, modulation_hidden=4),
}


@dataclasses.dataclass
class ModelConfig:
    profile: str = "realtime"
    variant: str = "full"
    context_size: int = 5          # MFCC frames per video frame (3, 5 or 7)
    window: int = 5                # video frames seen by the temporal blocks (Delta = 2)
    image_size: int = 256
    enc_channels: tuple = ()
    enc_res: tuple = ()
    dec_channels: tuple = ()
    dec_res: tuple = ()
    code_dim: int = 32
    codes: int = 256
    temporal_channels: int = 32
    audio_dim: int = 32
    audio_hidden: int = 128
    modulation_hidden: int = 16
    fidelity_w: float = 0.5
    fidelity_levels: tuple = (16, 8)   # decoder levels that receive the LQ encoder skip
    modulation_level: int = 4          # decoder level modulated (64x64 for 256 crops)
    # The decoder's RGB conv adds to the centre LQ crop instead of to 0.5 (stage 2 only; the
    # decoder is then fine-tuned): see Restorer.
    output_residual: bool = False
    ema_decay: float = 0.99
    commitment: float = 0.25

    @classmethod
    def make(cls, profile="realtime", variant="full", **over):
        if variant not in VARIANTS:
            raise ValueError(f"variant must be one of {VARIANTS}")
        return cls(profile=profile, variant=variant, **{**PROFILES[profile], **over})

    @property
    def use_audio(self):
        return self.variant != "no-audio"

    @property
    def use_modulation(self):
        return self.variant != "no-smoothing"

    @property
    def kernel_t(self):
        return 1 if self.variant == "2d-cnn" else 3

    @property
    def latent(self):
        return self.image_size // 16

    def to_metadata(self):
        d = dataclasses.asdict(self)
        d.update(use_audio=self.use_audio, use_modulation=self.use_modulation, kernel_t=self.kernel_t,
                 latent=self.latent)
        return {"architecture": json.dumps(d, sort_keys=True)}

    @classmethod
    def from_metadata(cls, meta):
        d = json.loads(meta["architecture"])
        fields = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: tuple(v) if isinstance(v, list) else v for k, v in d.items() if k in fields})


def conv(cin, cout, k=3, stride=1):
    return nn.Conv2d(cin, cout, k, stride, k // 2)


class ResBlock(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.conv1, self.conv2 = conv(c, c), conv(c, c)

    def forward(self, x):
        return F.relu(x + self.conv2(F.relu(self.conv1(x))))


class Encoder(nn.Module):
    """256² RGB in [0, 1] -> features at factors 2, 4, 8, 16 and the pre-quantisation latent."""

    def __init__(self, cfg):
        super().__init__()
        ch = cfg.enc_channels
        self.down = nn.ModuleList([conv(3 if i == 0 else ch[i - 1], ch[i], 3, 2) for i in range(4)])
        self.res = nn.ModuleList([nn.Sequential(*[ResBlock(ch[i]) for _ in range(cfg.enc_res[i])]) for i in range(4)])
        self.to_code = conv(ch[3], cfg.code_dim, 1)

    def forward(self, x):
        feats = []
        h = x - 0.5
        for down, res in zip(self.down, self.res):
            h = res(F.relu(down(h)))
            feats.append(h)
        return self.to_code(h), feats


class VectorQuantizer(nn.Module):
    """K x d codebook updated by exponential moving averages (no codebook gradient), commitment
    loss on the encoder, and restart of dead codes from the batch so that usage stays high on a
    small dataset. `usage` counts each code's assignments since the last reset_usage()."""

    def __init__(self, codes, dim, decay=0.99, eps=1e-5):
        super().__init__()
        self.decay, self.eps = decay, eps
        self.register_buffer("embed", torch.randn(codes, dim) * 0.1)
        self.register_buffer("cluster_size", torch.zeros(codes))
        self.register_buffer("embed_avg", self.embed.clone())
        self.register_buffer("initialised", torch.zeros((), dtype=torch.bool))
        self.register_buffer("usage", torch.zeros(codes))

    def reset_usage(self):
        self.usage.zero_()

    def indices(self, z):
        """z [B, d, H, W] -> nearest code index [B, H, W]."""
        flat = z.permute(0, 2, 3, 1).reshape(-1, z.shape[1])
        dist = (flat.pow(2).sum(1, keepdim=True) - 2 * flat @ self.embed.t() + self.embed.pow(2).sum(1)[None])
        return dist.argmin(1).view(z.shape[0], z.shape[2], z.shape[3])

    def lookup(self, idx):
        """idx [B, H, W] -> codes [B, d, H, W]."""
        return self.embed[idx].permute(0, 3, 1, 2).contiguous()

    def forward(self, z):
        flat = z.permute(0, 2, 3, 1).reshape(-1, z.shape[1])
        if self.training and not bool(self.initialised):
            # Start from encoder outputs, not noise: no code is dead on step 1.
            pick = torch.randint(len(flat), (self.embed.shape[0],))
            self.embed.copy_(flat[pick].detach())
            self.embed_avg.copy_(self.embed)
            self.cluster_size.fill_(1.0)
            self.initialised.fill_(True)
        idx = self.indices(z)
        one_hot = F.one_hot(idx.view(-1), self.embed.shape[0]).type(flat.dtype)
        self.usage += one_hot.sum(0).detach()
        if self.training:
            with torch.no_grad():
                self.cluster_size.mul_(self.decay).add_(one_hot.sum(0), alpha=1 - self.decay)
                self.embed_avg.mul_(self.decay).add_(one_hot.t() @ flat.detach(), alpha=1 - self.decay)
                n = self.cluster_size.sum()
                size = (self.cluster_size + self.eps) / (n + self.embed.shape[0] * self.eps) * n
                self.embed.copy_(self.embed_avg / size[:, None])
                # Restart codes used less than once per 2 steps on average (EMA): on a small
                # data set the codebook otherwise collapses to a handful of codes.
                dead = self.cluster_size < 0.5
                if dead.any():
                    pick = torch.randint(len(flat), (int(dead.sum()),))
                    self.embed[dead] = flat[pick].detach()
                    self.embed_avg[dead] = self.embed[dead]
                    self.cluster_size[dead] = 1.0
        zq = self.lookup(idx)
        commit = F.mse_loss(z, zq.detach())
        return z + (zq - z).detach(), idx, commit


class Decoder(nn.Module):
    """Codes [B, d, 16, 16] -> RGB 256² around 0.5. `hook(level, h)` may rewrite the features
    after each level (fidelity skip, modulation); stage 1 passes none."""

    def __init__(self, cfg):
        super().__init__()
        ch = cfg.dec_channels
        self.levels = [16, 8, 4, 2, 1]
        self.convs = nn.ModuleList([conv(cfg.code_dim if i == 0 else ch[i - 1], ch[i]) for i in range(5)])
        self.res = nn.ModuleList([nn.Sequential(*[ResBlock(ch[i]) for _ in range(cfg.dec_res[i])]) for i in range(5)])
        self.out = conv(ch[4], 3)

    def forward(self, zq, hook=None, base=None):
        """`base` (an image [B, 3, H, W]) replaces the constant 0.5 the RGB conv adds to."""
        h = zq
        for i, (c, res) in enumerate(zip(self.convs, self.res)):
            if i > 0:
                h = F.interpolate(h, scale_factor=2, mode="nearest")
            h = res(F.relu(c(h)))
            if hook is not None:
                h = hook(self.levels[i], h)
        return (0.5 if base is None else base) + self.out(h)


class VQAutoencoder(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.cfg = cfg
        self.encoder = Encoder(cfg)
        self.quantizer = VectorQuantizer(cfg.codes, cfg.code_dim, cfg.ema_decay)
        self.decoder = Decoder(cfg)

    def forward(self, x):
        z, _ = self.encoder(x)
        zq, idx, commit = self.quantizer(z)
        return self.decoder(zq), idx, commit

    @torch.no_grad()
    def codes(self, x):
        return self.quantizer.indices(self.encoder(x)[0])


class AudioNet(nn.Module):
    """h(M): one frame's MFCC context [N, ctx, 80] -> embedding [N, audio_dim]. MFCCs are
    standardised with the training set's per-coefficient statistics (buffers, exported)."""

    def __init__(self, cfg):
        super().__init__()
        self.register_buffer("mean", torch.zeros(MFCC_COEFFS))
        self.register_buffer("std", torch.ones(MFCC_COEFFS))
        self.fc1 = nn.Linear(cfg.context_size * MFCC_COEFFS, cfg.audio_hidden)
        self.fc2 = nn.Linear(cfg.audio_hidden, cfg.audio_dim)

    def forward(self, m):
        m = (m - self.mean) / self.std
        return self.fc2(F.relu(self.fc1(m.flatten(1))))


class TemporalBlock(nn.Module):
    def __init__(self, c, kt):
        super().__init__()
        self.conv = nn.Conv3d(c, c, (kt, 3, 3), padding=(kt // 2, 1, 1))
        self.bn = nn.BatchNorm3d(c)

    def forward(self, x):
        return F.relu(self.bn(self.conv(x)))


class Modulation(nn.Module):
    """alpha, beta for the modulated decoder level from the flow to t-1 and t+1 (4 channels,
    given at factor 4) and the centre frame's audio embedding, computed at factor 8 and
    up-sampled. The last conv starts at zero: an untrained modulation is the identity."""

    def __init__(self, cfg, channels):
        super().__init__()
        self.audio = nn.Linear(cfg.audio_dim, cfg.modulation_hidden) if cfg.use_audio else None
        cin = 4 + (cfg.modulation_hidden if cfg.use_audio else 0)
        self.conv1 = conv(cin, cfg.modulation_hidden)
        self.conv2 = conv(cfg.modulation_hidden, 2 * channels)
        nn.init.zeros_(self.conv2.weight)
        nn.init.zeros_(self.conv2.bias)

    def forward(self, flow, audio):
        x = F.avg_pool2d(flow, 2)
        if self.audio is not None:
            a = self.audio(audio)[:, :, None, None].expand(-1, -1, x.shape[2], x.shape[3])
            x = torch.cat([x, a], 1)
        ab = F.interpolate(self.conv2(F.relu(self.conv1(x))), scale_factor=2, mode="nearest")
        return ab.chunk(2, 1)


class Restorer(nn.Module):
    """Stage 2. The codebook and decoder come from stage 1; the codebook stays frozen.

    Without `output_residual` the decoder stays frozen too (the paper). With it, the decoder's
    RGB conv is re-initialised to zero and adds to the centre LQ crop, and the whole decoder is
    fine-tuned: a fresh model then outputs the bicubic input, and training only has to learn the
    correction. Why: the frozen decoder of a VQ autoencoder trained on ~500 crops reconstructs
    clean crops at ~23 dB, below the bicubic baseline of the `standard` degradation, so the
    paper's frozen decoder can never beat it on PSNR here (models/README.md has the figures)."""

    def __init__(self, cfg):
        super().__init__()
        self.cfg = cfg
        self.encoder = Encoder(cfg)
        self.quantizer = VectorQuantizer(cfg.codes, cfg.code_dim, cfg.ema_decay)
        self.decoder = Decoder(cfg)
        e3 = cfg.enc_channels[3]
        a = cfg.audio_dim if cfg.use_audio else 0
        self.audio = AudioNet(cfg) if cfg.use_audio else None
        self.in_proj = nn.Conv3d(e3 + FHOG_PLANES + a, cfg.temporal_channels, 1)
        self.blocks = nn.Sequential(*[TemporalBlock(cfg.temporal_channels, cfg.kernel_t) for _ in range(3)])
        self.head = conv(cfg.temporal_channels, cfg.codes, 1)
        self.z_proj = nn.Linear(e3, cfg.audio_dim) if cfg.use_audio else None  # z_l for the triplet
        # Fidelity skip: decoder level (factor f) <- encoder features at the same factor.
        enc_at = {2: 0, 4: 1, 8: 2, 16: 3}
        dec_at = {16: 0, 8: 1, 4: 2, 2: 3, 1: 4}
        self.fuse = nn.ModuleDict()
        for f in cfg.fidelity_levels:
            c = cfg.dec_channels[dec_at[f]]
            layer = conv(c + cfg.enc_channels[enc_at[f]], c, 1)
            nn.init.zeros_(layer.weight)
            nn.init.zeros_(layer.bias)
            self.fuse[str(f)] = layer
        self.enc_at = enc_at
        self.modulation = (Modulation(cfg, cfg.dec_channels[dec_at[cfg.modulation_level]])
                           if cfg.use_modulation else None)

    def load_stage1(self, ae):
        self.encoder.load_state_dict(ae.encoder.state_dict())
        self.quantizer.load_state_dict(ae.quantizer.state_dict())
        self.decoder.load_state_dict(ae.decoder.state_dict())
        if self.cfg.output_residual:
            nn.init.zeros_(self.decoder.out.weight)
            nn.init.zeros_(self.decoder.out.bias)

    def frozen_parameters(self):
        return [] if self.cfg.output_residual else list(self.decoder.parameters())

    def forward(self, lq, fhog, mfcc, flow=None, centres=(2,)):
        """lq [B, L, 3, 256, 256] in [0, 1]; fhog [B, L, 31, 64, 64]; mfcc [B, L, ctx, 80];
        flow [B, len(centres), 4, 64, 64] or None. Returns per centre: logits [B, K, 16, 16],
        codes, image [B, 3, 256, 256]; plus z_l and h(M) of the first centre (triplet)."""
        B, L = lq.shape[:2]
        w = self.cfg.window
        _, feats = self.encoder(lq.flatten(0, 1))
        f16 = feats[3]
        parts = [f16, F.avg_pool2d(fhog.flatten(0, 1), fhog.shape[-1] // f16.shape[-1])]
        emb = None
        if self.audio is not None:
            emb = self.audio(mfcc.flatten(0, 1))
            parts.append(emb[:, :, None, None].expand(-1, -1, f16.shape[2], f16.shape[3]))
            emb = emb.view(B, L, -1)
        x = torch.cat(parts, 1).view(B, L, -1, f16.shape[2], f16.shape[3]).transpose(1, 2)
        x = self.in_proj(x)
        out = {"logits": [], "codes": [], "image": []}
        for n, c in enumerate(centres):
            h = self.blocks(x[:, :, c - w // 2: c + w // 2 + 1])[:, :, w // 2]
            logits = self.head(h)
            codes = logits.argmax(1)
            skips = {f: feats[self.enc_at[f]].view(B, L, *feats[self.enc_at[f]].shape[1:])[:, c]
                     for f in self.cfg.fidelity_levels}
            mod = None
            if self.modulation is not None and flow is not None:
                mod = self.modulation(flow[:, n], emb[:, c] if emb is not None else None)
            base = lq[:, c] if self.cfg.output_residual else None
            out["image"].append(self.decoder(self.quantizer.lookup(codes), self._hook(skips, mod), base))
            out["logits"].append(logits)
            out["codes"].append(codes)
        if self.z_proj is not None:
            c = centres[0]
            out["z_l"] = self.z_proj(f16.view(B, L, *f16.shape[1:])[:, c].mean((2, 3)))
            out["h_m"] = emb[:, c]
        return out

    def _hook(self, skips, mod):
        def hook(level, h):
            if level in skips:
                h = h + self.cfg.fidelity_w * self.fuse[str(level)](torch.cat([h, skips[level]], 1))
            if mod is not None and level == self.cfg.modulation_level:
                alpha, beta = mod
                h = h * (1 + alpha) + beta
            return h
        return hook
