#!/usr/bin/python3
"""Train the two Fashion-MNIST example models and export them to ONNX.

Usage: /usr/bin/python3 examples/models/train.py [--out-dir examples/models]

Outputs (committed; nothing is trained in CI):
  fashion_mlp.onnx   784-128-64-10 MLP with ReLU, input [1,784]
  fashion_cnn.onnx   LeNet-style CNN, input [1,1,28,28]:
                     Conv5x5(6)+BN+Relu+MaxPool2 -> Conv5x5(16)+BN+Relu+MaxPool2
                     -> Flatten -> Gemm(120) -> Relu6 (exported as Clip) -> Gemm(10)
  expected_t10k_first64_mlp.f32 / _cnn.f32
                     float32 logits of the exported models on the first 64
                     t10k images ([64,10] row-major, little-endian); the C++
                     importer's float reference is checked against them.
  ACCURACY.md        float test accuracies on the full 10k test set.

Normalisation everywhere: x = pixel / 255.0, no mean/std.
BatchNormalization is kept in the exported CNN (TrainingMode.PRESERVE on an
eval-mode model skips torch's own Conv+BN fusion) so the importer's folding is
exercised.
"""
import argparse
import gzip
import os
import time

import numpy as np
import torch
import torch.nn as nn

DATA = "/usr/share/datasets/fashion-mnist"


def load_idx_images(path):
    with gzip.open(path, "rb") as f:
        raw = f.read()
    magic, n, rows, cols = np.frombuffer(raw[:16], dtype=">u4")
    assert magic == 0x803, f"{path}: bad IDX image magic {magic:#x}"
    return np.frombuffer(raw[16:], dtype=np.uint8).reshape(n, rows * cols)


def load_idx_labels(path):
    with gzip.open(path, "rb") as f:
        raw = f.read()
    magic, n = np.frombuffer(raw[:8], dtype=">u4")
    assert magic == 0x801, f"{path}: bad IDX label magic {magic:#x}"
    return np.frombuffer(raw[8:], dtype=np.uint8).astype(np.int64)


class MLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(784, 128)
        self.fc2 = nn.Linear(128, 64)
        self.fc3 = nn.Linear(64, 10)

    def forward(self, x):
        x = torch.relu(self.fc1(x))
        x = torch.relu(self.fc2(x))
        return self.fc3(x)


class CNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 6, 5)
        self.bn1 = nn.BatchNorm2d(6)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.bn2 = nn.BatchNorm2d(16)
        self.pool = nn.MaxPool2d(2)
        self.fc1 = nn.Linear(16 * 4 * 4, 120)
        self.act = nn.ReLU6()
        self.fc2 = nn.Linear(120, 10)

    def forward(self, x):
        x = self.pool(torch.relu(self.bn1(self.conv1(x))))
        x = self.pool(torch.relu(self.bn2(self.conv2(x))))
        x = torch.flatten(x, 1)
        x = self.act(self.fc1(x))
        return self.fc2(x)


def train(model, x, y, epochs, lr, batch=64):
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    loss_fn = nn.CrossEntropyLoss()
    g = torch.Generator().manual_seed(1)
    for ep in range(epochs):
        model.train()
        perm = torch.randperm(x.shape[0], generator=g)
        total = 0.0
        for i in range(0, x.shape[0], batch):
            idx = perm[i:i + batch]
            opt.zero_grad()
            loss = loss_fn(model(x[idx]), y[idx])
            loss.backward()
            opt.step()
            total += loss.item() * idx.shape[0]
        print(f"  epoch {ep + 1}: loss {total / x.shape[0]:.4f}", flush=True)


def accuracy(model, x, y):
    model.eval()
    with torch.no_grad():
        pred = torch.cat([model(x[i:i + 1000]).argmax(1) for i in range(0, x.shape[0], 1000)])
    return (pred == y).float().mean().item()


def export(model, example, path):
    model.eval()
    torch.onnx.export(model, example, path, opset_version=13,
                      input_names=["input"], output_names=["logits"],
                      training=torch.onnx.TrainingMode.PRESERVE,
                      do_constant_folding=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out-dir", default=os.path.dirname(os.path.abspath(__file__)))
    args = ap.parse_args()
    torch.manual_seed(0)
    np.random.seed(0)
    torch.set_num_threads(2)

    xtr = torch.from_numpy(load_idx_images(f"{DATA}/train-images-idx3-ubyte.gz").astype(np.float32) / 255.0)
    ytr = torch.from_numpy(load_idx_labels(f"{DATA}/train-labels-idx1-ubyte.gz"))
    xte = torch.from_numpy(load_idx_images(f"{DATA}/t10k-images-idx3-ubyte.gz").astype(np.float32) / 255.0)
    yte = torch.from_numpy(load_idx_labels(f"{DATA}/t10k-labels-idx1-ubyte.gz"))

    results = {}
    t0 = time.time()
    print("MLP 784-128-64-10:")
    mlp = MLP()
    train(mlp, xtr, ytr, epochs=3, lr=1e-3)
    results["fashion_mlp"] = accuracy(mlp, xte, yte)
    print(f"  float test accuracy {results['fashion_mlp'] * 100:.2f}% ({time.time() - t0:.0f} s)")
    export(mlp, torch.zeros(1, 784), os.path.join(args.out_dir, "fashion_mlp.onnx"))

    t0 = time.time()
    print("CNN (LeNet-style, BN, ReLU6):")
    cnn = CNN()
    xtr4, xte4 = xtr.view(-1, 1, 28, 28), xte.view(-1, 1, 28, 28)
    train(cnn, xtr4, ytr, epochs=6, lr=2e-3)
    results["fashion_cnn"] = accuracy(cnn, xte4, yte)
    print(f"  float test accuracy {results['fashion_cnn'] * 100:.2f}% ({time.time() - t0:.0f} s)")
    export(cnn, torch.zeros(1, 1, 28, 28), os.path.join(args.out_dir, "fashion_cnn.onnx"))

    # Expected logits for the importer's float reference (first 64 test images).
    with torch.no_grad():
        mlp.eval()
        cnn.eval()
        mlp(xte[:64]).numpy().astype("<f4").tofile(os.path.join(args.out_dir, "expected_t10k_first64_mlp.f32"))
        cnn(xte4[:64]).numpy().astype("<f4").tofile(os.path.join(args.out_dir, "expected_t10k_first64_cnn.f32"))

    with open(os.path.join(args.out_dir, "ACCURACY.md"), "w") as f:
        f.write("# Float accuracy of the example models\n\n")
        f.write("Written by train.py (torch %s, seeds fixed), full Fashion-MNIST t10k set,\n" % torch.__version__)
        f.write("input x = pixel / 255.0.\n\n| model | float test accuracy |\n|---|---|\n")
        for k, v in results.items():
            f.write(f"| {k}.onnx | {v * 100:.2f}% |\n")


if __name__ == "__main__":
    main()
