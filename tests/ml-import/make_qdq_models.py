#!/usr/bin/python3
"""Pre-quantized ONNX models for the importer's test (qdq_test.sh), written
with python3-onnx, and their integer outputs computed with numpy by ONNX's
definitions of QuantizeLinear, QLinearConv, QLinearMatMul and of float ops
between DequantizeLinear and QuantizeLinear (exact integer sums, one
rounding half to even per QuantizeLinear).

  make_qdq_models.py OUT_DIR

writes OUT_DIR/qdq.onnx (QuantizeLinear/DequantizeLinear pairs around Conv,
Gemm and MatMul, the layout onnxruntime's static quantization produces:
Conv + Relu with one pair after the Relu), OUT_DIR/qop.onnx (QLinearConv and
QLinearMatMul), OUT_DIR/qaxis.onnx (per-axis QuantizeLinear/DequantizeLinear
of activations: the input per row, a Conv's output per channel),
OUT_DIR/input.npy (4 samples) and OUT_DIR/expected_{qdq,qop,qaxis}.i8
(per sample the output's int8 values; a uint8 output is shifted by -128, as
the importer maps uint8 to int8)."""
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

out = sys.argv[1]
rng = np.random.default_rng(11)
N = 4
x = rng.random((N, 1, 8, 8), dtype=np.float32)  # like pixels / 255


def q(v, s, zp, lo, hi):  # QuantizeLinear: round half to even, saturate
    return np.clip(np.rint(v / s) + zp, lo, hi).astype(np.int64)


def conv2d(xq, w, pad):  # integer 2-D convolution, one image [C,H,W], w [M,C,kh,kw]
    C, H, W = xq.shape
    M, _, kh, kw = w.shape
    xp = np.pad(xq, ((0, 0), (pad, pad), (pad, pad)))
    oh, ow = H + 2 * pad - kh + 1, W + 2 * pad - kw + 1
    y = np.zeros((M, oh, ow), dtype=np.int64)
    for m in range(M):
        for i in range(oh):
            for j in range(ow):
                y[m, i, j] = np.sum(xp[:, i:i + kh, j:j + kw] * w[m])
    return y


def init(name, arr, dt):
    return numpy_helper.from_array(np.asarray(arr).astype(dt), name)


# ---- QDQ: x -> Q/DQ -> Conv(DQ w, DQ b) -> Relu -> Q/DQ -> MaxPool -> Q/DQ
#            -> Flatten -> Gemm(DQ w2, DQ b2) -> Q/DQ -> MatMul(DQ w3) -> Q/DQ
s_x, zp_x = np.float32(1 / 255), 0                       # uint8 input
w1 = rng.integers(-127, 128, (4, 1, 3, 3))
s_w1 = (rng.random(4) * 0.01 + 0.005).astype(np.float32)  # per output channel
b1 = rng.integers(-2000, 2000, 4)
s_r, zp_r = np.float32(0.02), 0                           # uint8 after Relu
w2 = rng.integers(-127, 128, (16, 64))                    # Gemm B, transB=1
s_w2 = np.float32(0.004)
b2 = rng.integers(-300, 300, 16)
s_h, zp_h = np.float32(0.065), 3                          # int8
w3 = rng.integers(-128, 128, (16, 10))                    # MatMul B [K,N], per column
s_w3 = (rng.random(10) * 0.01 + 0.01).astype(np.float32)
s_o, zp_o = np.float32(0.25), -50                         # int8 output

nodes = [
    helper.make_node("QuantizeLinear", ["x", "s_x", "zp_x"], ["xq"]),
    helper.make_node("DequantizeLinear", ["xq", "s_x", "zp_x"], ["xd"]),
    helper.make_node("DequantizeLinear", ["w1", "s_w1", "zp_w1"], ["w1d"], axis=0),
    helper.make_node("DequantizeLinear", ["b1", "s_b1"], ["b1d"], axis=0),
    helper.make_node("Conv", ["xd", "w1d", "b1d"], ["c1"], pads=[1, 1, 1, 1], kernel_shape=[3, 3]),
    helper.make_node("Relu", ["c1"], ["r1"]),
    helper.make_node("QuantizeLinear", ["r1", "s_r", "zp_r"], ["r1q"]),
    helper.make_node("DequantizeLinear", ["r1q", "s_r", "zp_r"], ["r1d"]),
    helper.make_node("MaxPool", ["r1d"], ["p1"], kernel_shape=[2, 2], strides=[2, 2]),
    helper.make_node("QuantizeLinear", ["p1", "s_r", "zp_r"], ["p1q"]),
    helper.make_node("DequantizeLinear", ["p1q", "s_r", "zp_r"], ["p1d"]),
    helper.make_node("Flatten", ["p1d"], ["f1"], axis=1),
    helper.make_node("DequantizeLinear", ["w2", "s_w2", "zp_w2"], ["w2d"]),
    helper.make_node("DequantizeLinear", ["b2", "s_b2"], ["b2d"]),
    helper.make_node("Gemm", ["f1", "w2d", "b2d"], ["h"], transB=1),
    helper.make_node("QuantizeLinear", ["h", "s_h", "zp_h"], ["hq"]),
    helper.make_node("DequantizeLinear", ["hq", "s_h", "zp_h"], ["hd"]),
    helper.make_node("DequantizeLinear", ["w3", "s_w3", "zp_w3"], ["w3d"], axis=1),
    helper.make_node("MatMul", ["hd", "w3d"], ["o"]),
    helper.make_node("QuantizeLinear", ["o", "s_o", "zp_o"], ["oq"]),
    helper.make_node("DequantizeLinear", ["oq", "s_o", "zp_o"], ["y"]),
]
inits = [
    init("s_x", s_x, np.float32), init("zp_x", zp_x, np.uint8),
    init("w1", w1, np.int8), init("s_w1", s_w1, np.float32), init("zp_w1", np.zeros(4), np.int8),
    init("b1", b1, np.int32), init("s_b1", s_x * s_w1, np.float32),
    init("s_r", s_r, np.float32), init("zp_r", zp_r, np.uint8),
    init("w2", w2, np.int8), init("s_w2", s_w2, np.float32), init("zp_w2", 0, np.int8),
    init("b2", b2, np.int32), init("s_b2", s_r * s_w2, np.float32),
    init("s_h", s_h, np.float32), init("zp_h", zp_h, np.int8),
    init("w3", w3, np.int8), init("s_w3", s_w3, np.float32), init("zp_w3", np.zeros(10), np.int8),
    init("s_o", s_o, np.float32), init("zp_o", zp_o, np.int8),
]
g = helper.make_graph(nodes, "qdq", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 1, 8, 8])],
                      [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 10])], inits)
m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)])
m.ir_version = 7
onnx.checker.check_model(m)
onnx.save(m, out + "/qdq.onnx")

exp = []
for n in range(N):
    xq = q(x[n], s_x, zp_x, 0, 255)
    acc = conv2d(xq - zp_x, w1, 1) + b1[:, None, None]
    # Conv of the dequantized values, Relu, QuantizeLinear: one rounding.
    r = q(np.maximum(acc * (np.float64(s_x) * s_w1.astype(np.float64))[:, None, None], 0), s_r, zp_r, 0, 255)
    p = r.reshape(4, 4, 2, 4, 2).max(axis=(2, 4)).reshape(64)
    h = q(((p - zp_r) @ w2.T + b2) * (np.float64(s_r) * s_w2), s_h, zp_h, -128, 127)
    o = q(((h - zp_h) @ w3) * (np.float64(s_h) * s_w3.astype(np.float64)), s_o, zp_o, -128, 127)
    exp.append(o)
np.array(exp, dtype=np.int8).tofile(out + "/expected_qdq.i8")

# ---- QOperator: x -> QuantizeLinear -> QLinearConv -> Flatten (uint8)
#                   -> QLinearMatMul -> DequantizeLinear
s_x2, zp_x2 = np.float32(1 / 255), 0
w4 = rng.integers(0, 256, (3, 1, 3, 3))                    # uint8 weights, zero point 128
s_w4 = np.float32(0.006)
b4 = rng.integers(-500, 500, 3)
s_c, zp_c = np.float32(0.03), 100                          # uint8
w5 = rng.integers(-127, 128, (108, 10))                    # int8, per tensor
s_w5 = np.float32(0.002)
s_y, zp_y = np.float32(0.04), 130                          # uint8 output
nodes = [
    helper.make_node("QuantizeLinear", ["x", "s_x", "zp_x"], ["xq"]),
    helper.make_node("QLinearConv", ["xq", "s_x", "zp_x", "w4", "s_w4", "zp_w4", "s_c", "zp_c", "b4"], ["c"],
                     kernel_shape=[3, 3], pads=[0, 0, 0, 0]),
    helper.make_node("Flatten", ["c"], ["f"], axis=1),
    helper.make_node("QLinearMatMul", ["f", "s_c", "zp_c", "w5", "s_w5", "zp_w5", "s_y", "zp_y"], ["yq"]),
    helper.make_node("DequantizeLinear", ["yq", "s_y", "zp_y"], ["y"]),
]
inits = [
    init("s_x", s_x2, np.float32), init("zp_x", zp_x2, np.uint8),
    init("w4", w4, np.uint8), init("s_w4", s_w4, np.float32), init("zp_w4", 128, np.uint8),
    init("b4", b4, np.int32),
    init("s_c", s_c, np.float32), init("zp_c", zp_c, np.uint8),
    init("w5", w5, np.int8), init("s_w5", s_w5, np.float32), init("zp_w5", 0, np.int8),
    init("s_y", s_y, np.float32), init("zp_y", zp_y, np.uint8),
]
g = helper.make_graph(nodes, "qop", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 1, 8, 8])],
                      [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 10])], inits)
m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)])
m.ir_version = 7
onnx.checker.check_model(m)
onnx.save(m, out + "/qop.onnx")

exp = []
for n in range(N):
    xq = q(x[n], s_x2, zp_x2, 0, 255)
    acc = conv2d(xq - zp_x2, w4 - 128, 0) + b4[:, None, None]
    c = q(acc * (np.float64(s_x2) * s_w4 / s_c), 1, zp_c, 0, 255)  # QLinearConv: rint(acc * M) + zp
    f = c.reshape(108)
    y = q(((f - zp_c) @ w5) * (np.float64(s_c) * s_w5 / s_y), 1, zp_y, 0, 255)
    exp.append(y - 128)
np.array(exp, dtype=np.int8).tofile(out + "/expected_qop.i8")

# ---- Per-axis activations: x -> Q/DQ per row (axis 2, uint8) -> Q/DQ (one
# scale) -> Conv(DQ w per channel, DQ b) -> Q/DQ (one scale, int8) -> Q/DQ
# per channel (axis 1, int8) -> y [1,4,8,8]. The activation scales are
# powers of two, so ONNX's float32 arithmetic between the QuantizeLinears is
# exact and the int8 model's Requant steps (exact ratios, half to even) must
# give ONNX's integers; the Conv's requantisation has no ties (random weight
# scales).
s_row = np.array([2.0 ** -8, 2.0 ** -7] * 4, dtype=np.float32)   # per row of the input
s_x3 = np.float32(2.0 ** -7)
w6 = rng.integers(-127, 128, (4, 1, 3, 3))
s_w6 = (rng.random(4) * 0.01 + 0.005).astype(np.float32)
b6 = rng.integers(-300, 300, 4)
s_c3, zp_c3 = np.float32(2.0 ** -4), -20
s_ch = np.array([2.0 ** -3, 2.0 ** -4, 2.0 ** -5, 2.0 ** -2], dtype=np.float32)  # per output channel
zp_ch = np.array([-100, 5, 0, 60])
nodes = [
    helper.make_node("QuantizeLinear", ["x", "s_row", "zp_row"], ["xq"], axis=2),
    helper.make_node("DequantizeLinear", ["xq", "s_row", "zp_row"], ["xd"], axis=2),
    helper.make_node("QuantizeLinear", ["xd", "s_x", "zp_x"], ["x2q"]),
    helper.make_node("DequantizeLinear", ["x2q", "s_x", "zp_x"], ["x2d"]),
    helper.make_node("DequantizeLinear", ["w6", "s_w6", "zp_w6"], ["w6d"], axis=0),
    helper.make_node("DequantizeLinear", ["b6", "s_b6"], ["b6d"], axis=0),
    helper.make_node("Conv", ["x2d", "w6d", "b6d"], ["c"], pads=[1, 1, 1, 1], kernel_shape=[3, 3]),
    helper.make_node("QuantizeLinear", ["c", "s_c", "zp_c"], ["cq"]),
    helper.make_node("DequantizeLinear", ["cq", "s_c", "zp_c"], ["cd"]),
    helper.make_node("QuantizeLinear", ["cd", "s_ch", "zp_ch"], ["yq"], axis=1),
    helper.make_node("DequantizeLinear", ["yq", "s_ch", "zp_ch"], ["y"], axis=1),
]
inits = [
    init("s_row", s_row, np.float32), init("zp_row", np.zeros(8), np.uint8),
    init("s_x", s_x3, np.float32), init("zp_x", 0, np.uint8),
    init("w6", w6, np.int8), init("s_w6", s_w6, np.float32), init("zp_w6", np.zeros(4), np.int8),
    init("b6", b6, np.int32), init("s_b6", s_x3 * s_w6, np.float32),
    init("s_c", s_c3, np.float32), init("zp_c", zp_c3, np.int8),
    init("s_ch", s_ch, np.float32), init("zp_ch", zp_ch, np.int8),
]
g = helper.make_graph(nodes, "qaxis", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 1, 8, 8])],
                      [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 4, 8, 8])], inits)
m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)])
m.ir_version = 7
onnx.checker.check_model(m)
onnx.save(m, out + "/qaxis.onnx")

exp = []
for n in range(N):
    xq = q(x[n], s_row[None, :, None], 0, 0, 255)            # per row
    x2 = q(xq * s_row[None, :, None], s_x3, 0, 0, 255)      # exact products: rint(xq s_row / s_x)
    acc = conv2d(x2, w6, 1) + b6[:, None, None]
    c = q(acc * (np.float64(s_x3) * s_w6.astype(np.float64))[:, None, None], s_c3, zp_c3, -128, 127)
    y = q((c - zp_c3) * np.float64(s_c3), s_ch[:, None, None], zp_ch[:, None, None], -128, 127)
    exp.append(y.reshape(-1))
np.array(exp, dtype=np.int8).tofile(out + "/expected_qaxis.i8")
np.save(out + "/input.npy", x)
print("wrote qdq.onnx, qop.onnx, qaxis.onnx, input.npy and the expected int8 outputs to", out)
