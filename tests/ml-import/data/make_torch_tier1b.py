"""Exports torch_tier1b.onnx: a tiny CNN with the second part of issue 11's
tier-1 ops as torch 1.13 (Debian's python3-torch) exports them: grouped,
depthwise (with a channel multiplier) and dilated Conv, a dilated MaxPool,
ceil_mode MaxPool and AvgPool (the latter with padding and
count_include_pad, whose last window reaches past the padding: torch does
not count those positions) and torch.split. The importer and the int8 path
must reproduce torch's output. Run from this directory with
/usr/bin/python3; the outputs are committed, so CI needs no torch.

Writes torch_tier1b.onnx (opset 14), torch_tier1b_input.f32 ([1,2,12,12])
and torch_tier1b_output.f32 ([1,3], torch's result), float32 little-endian.
"""
import torch
import torch.nn as nn
import torch.nn.functional as F


class Tier1b(nn.Module):
    def __init__(self):
        super().__init__()
        self.c1 = nn.Conv2d(2, 8, 3, padding=2, dilation=2)  # dilated
        self.dw = nn.Conv2d(8, 8, 3, padding=1, groups=8)  # depthwise
        self.g2 = nn.Conv2d(8, 6, 3, padding=1, groups=2)  # 4 in, 3 out per group
        self.dm = nn.Conv2d(3, 6, 3, stride=2, padding=1, groups=3)  # depthwise, channel multiplier 2
        self.mp = nn.MaxPool2d(2, stride=1, dilation=2)  # dilated
        self.ap = nn.AvgPool2d(3, stride=2, padding=1, ceil_mode=True, count_include_pad=True)
        self.fc = nn.Linear(81, 3)

    def forward(self, x):
        a = F.relu(self.c1(x))
        a = F.relu6(self.dw(a))
        p, q = torch.split(self.g2(a), [3, 3], dim=1)  # Split along the channels
        p = torch.tanh(self.dm(torch.sigmoid(p)))  # [1,6,6,6]
        q = F.max_pool2d(q, 3, stride=2, ceil_mode=True)  # 12 -> 6 (5 without ceil_mode)
        a = self.ap(self.mp(torch.cat([p, q], 1)))  # [1,9,4,4] -> [1,9,3,3]
        return self.fc(a.flatten(1))


torch.manual_seed(12)
m = Tier1b().eval()
x = torch.rand(1, 2, 12, 12) * 2 - 1
torch.onnx.export(m, x, "torch_tier1b.onnx", opset_version=14, input_names=["x"], output_names=["y"])
x.numpy().astype("<f4").tofile("torch_tier1b_input.f32")
m(x).detach().numpy().astype("<f4").tofile("torch_tier1b_output.f32")
print(m(x))
