"""Exports torch_tier1.onnx: a tiny CNN built from the tier-1 ops of issue 11
the way torch 1.13 (Debian's python3-torch) exports them, for
tests/ml-import (the importer must fold the Pads and reproduce torch's
output). Run from this directory with /usr/bin/python3; the outputs are
committed, so CI needs no torch.

Writes torch_tier1.onnx (opset 14), torch_tier1_input.f32 ([1,1,12,12])
and torch_tier1_output.f32 ([1,3], torch's result), float32 little-endian.
"""
import torch
import torch.nn as nn
import torch.nn.functional as F


class Tier1(nn.Module):
    def __init__(self):
        super().__init__()
        self.pad = nn.ZeroPad2d((1, 2, 1, 0))  # a Pad whose pads torch computes (ConstantOfShape, Slice, ...)
        self.c1 = nn.Conv2d(1, 3, 3)
        self.pool = nn.AvgPool2d(3, stride=2, padding=1, count_include_pad=True)  # Pad + AveragePool
        self.c2 = nn.Conv2d(3, 3, 3, padding=1)
        self.fc = nn.Linear(9, 3)

    def forward(self, x):
        a = F.leaky_relu(self.c1(self.pad(x)), 0.1)
        a = self.pool(a)
        b = torch.sigmoid(self.c2(a))
        c = torch.cat([a, F.hardswish(b), F.hardsigmoid(b)], 1)
        c = F.elu(torch.tanh(c), 0.8)
        c = F.max_pool2d(F.pad(F.relu(c), (1, 1, 1, 1)), 3, stride=2)  # zero Pad + MaxPool after Relu
        c = F.adaptive_avg_pool2d(c, 1).flatten(1)  # GlobalAveragePool
        return self.fc(c)


torch.manual_seed(11)
m = Tier1().eval()
x = torch.rand(1, 1, 12, 12) * 2 - 1
torch.onnx.export(m, x, "torch_tier1.onnx", opset_version=14, input_names=["x"], output_names=["y"])
x.numpy().astype("<f4").tofile("torch_tier1_input.f32")
m(x).detach().numpy().astype("<f4").tofile("torch_tier1_output.f32")
print(m(x))
