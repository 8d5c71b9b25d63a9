"""Exports torch_convt.onnx: a tiny decoder with the ops issue 11 lists
last in tier 1 and the indexing torch exports as Slice and Gather of
activations: ConvTranspose2d with stride, padding and output_padding, with
groups, and with dilation; x[:, :, 1:-1, 2:] (a Slice of two axes) and
x[:, [3, 0, 1]] (a Gather of channels). The importer and the int8 path must
reproduce torch's output. Run from this directory with /usr/bin/python3;
the outputs are committed, so CI needs no torch.

Writes torch_convt.onnx (opset 13), torch_convt_input.f32 ([1,4,5,5]) and
torch_convt_output.f32 ([1,3], torch's result), float32 little-endian.
"""
import torch
import torch.nn as nn
import torch.nn.functional as F


class ConvT(nn.Module):
    def __init__(self):
        super().__init__()
        self.up1 = nn.ConvTranspose2d(4, 6, 3, stride=2, padding=1, output_padding=1)  # 5 -> 10
        self.up2 = nn.ConvTranspose2d(6, 4, 4, stride=(2, 1), padding=(1, 2), groups=2)  # 10x10 -> 20x9
        self.up3 = nn.ConvTranspose2d(4, 5, 2, dilation=2, bias=False)  # 20x9 -> 22x11
        self.fc = nn.Linear(3 * 20 * 9, 3)

    def forward(self, x):
        a = F.relu(self.up1(x))
        a = torch.tanh(self.up2(a))
        a = self.up3(a)[:, :, 1:-1, 2:]  # [1,5,20,9]
        a = a[:, [3, 0, 1]]  # [1,3,20,9]
        return self.fc(a.flatten(1))


torch.manual_seed(13)
m = ConvT().eval()
x = torch.rand(1, 4, 5, 5) * 2 - 1
torch.onnx.export(m, x, "torch_convt.onnx", opset_version=13, input_names=["x"], output_names=["y"])
x.numpy().astype("<f4").tofile("torch_convt_input.f32")
m(x).detach().numpy().astype("<f4").tofile("torch_convt_output.f32")
print(m(x))
