"""Exports torch_variants.onnx: the LayerNorm and GELU variants that
hand-written transformer code makes torch 1.13 emit, each of which the
importer must recognise by what it computes: BERT's LayerNorm
(w * ((x - u) / sqrt(s + 1e-12)) + b), one with x.var(unbiased=False)
(a second mean and d * d instead of pow), one with torch.rsqrt
(1 / sqrt, then a Mul); BERT's GELU (x * 0.5 * (1 + erf(x / sqrt 2))),
HF's gelu_new (pow(x, 3), 0.5 * x first) and nn.GELU(approximate="tanh").
Also exports torch_variant_unbiased.onnx, a LayerNorm with x.var()
(unbiased: divides by D - 1), which is not LayerNorm and must be refused.
Run from this directory with /usr/bin/python3; the outputs are
committed, so CI needs no torch.

Writes torch_variants.onnx (opset 13), torch_variants_input.f32 ([1,5,16])
and torch_variants_output.f32 ([1,3], torch's result), float32
little-endian.
"""
import math

import torch
import torch.nn as nn


class BertLN(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.weight = nn.Parameter(1 + 0.3 * torch.randn(d))
        self.bias = nn.Parameter(0.1 * torch.randn(d))

    def forward(self, x):
        u = x.mean(-1, keepdim=True)
        s = (x - u).pow(2).mean(-1, keepdim=True)
        return self.weight * ((x - u) / torch.sqrt(s + 1e-12)) + self.bias


class VarLN(nn.Module):
    def __init__(self, unbiased=False):
        super().__init__()
        self.unbiased = unbiased

    def forward(self, x):
        return (x - x.mean(-1, keepdim=True)) / torch.sqrt(x.var(-1, keepdim=True, unbiased=self.unbiased) + 1e-5)


class RsqrtLN(nn.Module):
    def forward(self, x):
        u = x.mean(-1, keepdim=True)
        v = (x - u).pow(2).mean(-1, keepdim=True)
        return (x - u) * torch.rsqrt(v + 1e-6)


def bert_gelu(x):
    return x * 0.5 * (1.0 + torch.erf(x / math.sqrt(2.0)))


def gelu_new(x):
    return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * torch.pow(x, 3.0))))


class Variants(nn.Module):
    def __init__(self):
        super().__init__()
        self.l1 = nn.Linear(16, 16)
        self.ln1 = BertLN(16)
        self.l2 = nn.Linear(16, 16)
        self.ln2 = VarLN()
        self.l3 = nn.Linear(16, 16)
        self.ln3 = RsqrtLN()
        self.g = nn.GELU(approximate="tanh")
        self.out = nn.Linear(16 * 5, 3)

    def forward(self, x):
        a = self.ln1(bert_gelu(self.l1(x)))
        a = self.ln2(gelu_new(self.l2(a)))
        a = self.ln3(self.g(self.l3(a)))
        return self.out(a.flatten(1))


torch.manual_seed(14)
m = Variants().eval()
x = torch.randn(1, 5, 16)
torch.onnx.export(m, x, "torch_variants.onnx", opset_version=13, input_names=["x"], output_names=["y"])
x.numpy().astype("<f4").tofile("torch_variants_input.f32")
m(x).detach().numpy().astype("<f4").tofile("torch_variants_output.f32")
print(m(x))
torch.onnx.export(VarLN(unbiased=True).eval(), x, "torch_variant_unbiased.onnx", opset_version=13,
                  input_names=["x"], output_names=["y"])
