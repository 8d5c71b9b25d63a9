#!/usr/bin/python3
"""Train a tiny vision transformer on Fashion-MNIST and export it to ONNX.

Usage: nice -n 19 /usr/bin/python3 examples/models/train_vit.py [--out-dir examples/models] [--epochs N]

The model (about 70k parameters, width 64):
  patches as tokens: the 28x28 image is cut into 16 patches of 7x7 by a
  Reshape to [1,1,4,7,4,7] and a Transpose (rank 6), each patch (49 pixels)
  is projected to 64 by a Linear; a class token is prepended and a learned
  position embedding added (17 tokens);
  2 pre-norm encoder layers: LayerNorm -> 4-head self-attention (separate
  q, k, v Linears, head split by Reshape/Transpose, q k^T / 4, Softmax,
  attention x v) -> residual Add -> LayerNorm -> Linear(64,128) -> GELU (Erf
  form) -> Linear(128,64) -> residual Add;
  final LayerNorm, the class token (a Gather), Linear(64,10).
Exported at opset 17 (LayerNormalization is one ONNX op there; at lower
opsets torch writes ReduceMean/Sub/Pow/Sqrt/Div, which the importer also
reads: tests/ml-import/torch_vit_test.sh exports that form, and the tanh
GELU, from this file's model).

Outputs (committed; nothing is trained in CI):
  fashion_vit.onnx                 input [1,1,28,28], output logits [1,10]
  expected_t10k_first64_vit.f32    torch's logits on the first 64 t10k images
  ACCURACY_VIT.md                  float test accuracy (full 10k test set)

Normalisation: x = pixel / 255.0, as the other example models.
About 7.5 minutes per epoch on 2 cores (run it with nice -n 19 on a shared
machine: the committed model took 41 minutes for its 3 epochs at load 7).
"""
import argparse
import gzip
import math
import os
import time

import numpy as np
import torch
import torch.nn as nn

DATA = "/usr/share/datasets/fashion-mnist"
PATCH = 7
GRID = 28 // PATCH          # 4 x 4 patches
TOKENS = GRID * GRID        # 16 (+1 class token)
WIDTH = 64
HEADS = 4
DEPTH = 2
HIDDEN = 128


def load_idx(path, magic_expected, header):
    with gzip.open(path, "rb") as f:
        raw = f.read()
    magic = int(np.frombuffer(raw[:4], dtype=">u4")[0])
    assert magic == magic_expected, f"{path}: bad IDX magic {magic:#x}"
    return np.frombuffer(raw[header:], dtype=np.uint8)


class Attention(nn.Module):
    def __init__(self, gelu_tanh=False):
        super().__init__()
        self.q = nn.Linear(WIDTH, WIDTH)
        self.k = nn.Linear(WIDTH, WIDTH)
        self.v = nn.Linear(WIDTH, WIDTH)
        self.proj = nn.Linear(WIDTH, WIDTH)
        self.dh = WIDTH // HEADS

    def forward(self, x):
        b, t, _ = x.shape
        q = self.q(x).reshape(b, t, HEADS, self.dh).transpose(1, 2)      # [b,H,T,dh]
        k = self.k(x).reshape(b, t, HEADS, self.dh).permute(0, 2, 3, 1)  # [b,H,dh,T]
        v = self.v(x).reshape(b, t, HEADS, self.dh).transpose(1, 2)      # [b,H,T,dh]
        a = torch.softmax(torch.matmul(q, k) * (1.0 / math.sqrt(self.dh)), dim=-1)
        y = torch.matmul(a, v).transpose(1, 2).reshape(b, t, WIDTH)
        return self.proj(y)


class Block(nn.Module):
    def __init__(self, gelu_tanh=False):
        super().__init__()
        self.ln1 = nn.LayerNorm(WIDTH)
        self.attn = Attention()
        self.ln2 = nn.LayerNorm(WIDTH)
        self.fc1 = nn.Linear(WIDTH, HIDDEN)
        self.act = nn.GELU(approximate="tanh" if gelu_tanh else "none")
        self.fc2 = nn.Linear(HIDDEN, WIDTH)

    def forward(self, x):
        x = x + self.attn(self.ln1(x))
        return x + self.fc2(self.act(self.fc1(self.ln2(x))))


class ViT(nn.Module):
    def __init__(self, depth=DEPTH, gelu_tanh=False):
        super().__init__()
        self.embed = nn.Linear(PATCH * PATCH, WIDTH)
        self.cls = nn.Parameter(torch.zeros(1, 1, WIDTH))
        self.pos = nn.Parameter(torch.randn(1, TOKENS + 1, WIDTH) * 0.02)
        self.blocks = nn.ModuleList([Block(gelu_tanh) for _ in range(depth)])
        self.ln = nn.LayerNorm(WIDTH)
        self.head = nn.Linear(WIDTH, 10)

    def forward(self, x):
        b = x.shape[0]
        # [b,1,28,28] -> [b,1,4,7,4,7] -> [b,4,4,1,7,7] -> [b,16,49]: one row per patch
        p = x.reshape(b, 1, GRID, PATCH, GRID, PATCH).permute(0, 2, 4, 1, 3, 5)
        p = p.reshape(b, TOKENS, PATCH * PATCH)
        # batch 1 (the export) concatenates the parameter itself, so the ONNX
        # graph has no Expand of a constant
        cls = self.cls if b == 1 else self.cls.expand(b, -1, -1)
        x = torch.cat([cls, self.embed(p)], dim=1) + self.pos
        for blk in self.blocks:
            x = blk(x)
        return self.head(self.ln(x)[:, 0])


def accuracy(model, x, y):
    model.eval()
    with torch.no_grad():
        pred = torch.cat([model(x[i:i + 1000]).argmax(1) for i in range(0, x.shape[0], 1000)])
    return (pred == y).float().mean().item()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out-dir", default=os.path.dirname(os.path.abspath(__file__)))
    ap.add_argument("--epochs", type=int, default=3)
    args = ap.parse_args()
    torch.manual_seed(0)
    np.random.seed(0)
    torch.set_num_threads(2)

    def images(name):
        return torch.from_numpy(load_idx(f"{DATA}/{name}", 0x803, 16).astype(np.float32) / 255.0).view(-1, 1, 28, 28)

    def labels(name):
        return torch.from_numpy(load_idx(f"{DATA}/{name}", 0x801, 8).astype(np.int64))

    xtr, ytr = images("train-images-idx3-ubyte.gz"), labels("train-labels-idx1-ubyte.gz")
    xte, yte = images("t10k-images-idx3-ubyte.gz"), labels("t10k-labels-idx1-ubyte.gz")

    model = ViT()
    print(f"ViT: {sum(p.numel() for p in model.parameters())} parameters", flush=True)
    batch = 128
    steps = args.epochs * ((xtr.shape[0] + batch - 1) // batch)
    opt = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=0.05)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=2e-3, total_steps=steps, pct_start=0.1)
    loss_fn = nn.CrossEntropyLoss()
    g = torch.Generator().manual_seed(1)
    t0 = time.time()
    for ep in range(args.epochs):
        model.train()
        perm = torch.randperm(xtr.shape[0], generator=g)
        total = 0.0
        for i in range(0, xtr.shape[0], batch):
            idx = perm[i:i + batch]
            opt.zero_grad()
            loss = loss_fn(model(xtr[idx]), ytr[idx])
            loss.backward()
            opt.step()
            sched.step()
            total += loss.item() * idx.shape[0]
        print(f"  epoch {ep + 1}: loss {total / xtr.shape[0]:.4f} ({time.time() - t0:.0f} s)", flush=True)
    acc = accuracy(model, xte, yte)
    print(f"  float test accuracy {acc * 100:.2f}% ({time.time() - t0:.0f} s)")

    model.eval()
    torch.onnx.export(model, torch.zeros(1, 1, 28, 28), os.path.join(args.out_dir, "fashion_vit.onnx"),
                      opset_version=17, input_names=["input"], output_names=["logits"],
                      do_constant_folding=True)
    with torch.no_grad():
        model(xte[:64]).numpy().astype("<f4").tofile(os.path.join(args.out_dir, "expected_t10k_first64_vit.f32"))
    with open(os.path.join(args.out_dir, "ACCURACY_VIT.md"), "w") as f:
        f.write("# Float accuracy of the example vision transformer\n\n")
        f.write("Written by train_vit.py (torch %s, seeds fixed, %d epochs), full Fashion-MNIST\n"
                % (torch.__version__, args.epochs))
        f.write("t10k set, input x = pixel / 255.0.\n\n| model | float test accuracy |\n|---|---|\n")
        f.write(f"| fashion_vit.onnx | {acc * 100:.2f}% |\n")


if __name__ == "__main__":
    main()
