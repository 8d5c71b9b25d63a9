#!/usr/bin/env bash
# The README's path from PyTorch to a guest: a small CNN exported by Debian's
# torch in the test (Conv, BatchNorm, ReLU, a padded AvgPool that torch
# exports as Pad + AveragePool, MaxPool, Sigmoid, Linear), `zkvm model build`
# with calibration samples from a .npy, `zkvm model input`, and `zkvm model
# eval --guest`, which runs the built guest in the emulator and requires its
# class and logits to equal the host int8 run's for every sample.
#   torch_build_test.sh ZKVM PYTHON3 WORK_DIR
set -euo pipefail
zkvm=$1 python=$2 work=$3
rm -rf "$work"; mkdir -p "$work"; cd "$work"
fail() { echo "FAIL: $*" >&2; exit 1; }

"$python" - <<'PY'
import struct
import numpy as np
import torch
torch.manual_seed(3)
net = torch.nn.Sequential(
    torch.nn.Conv2d(1, 4, 3, padding=1), torch.nn.BatchNorm2d(4), torch.nn.ReLU(),
    torch.nn.AvgPool2d(2, padding=1, count_include_pad=True),
    torch.nn.Conv2d(4, 6, 3), torch.nn.Sigmoid(), torch.nn.MaxPool2d(2),
    torch.nn.Flatten(), torch.nn.Linear(6 * 2 * 2, 5)).eval()
with torch.no_grad():  # non-trivial BatchNorm statistics
    net[1].running_mean.uniform_(-0.2, 0.2)
    net[1].running_var.uniform_(0.5, 2.0)
torch.onnx.export(net, torch.zeros(1, 1, 12, 12), "small.onnx", opset_version=13,
                  input_names=["image"], output_names=["logits"])
rng = np.random.default_rng(5)
x = rng.random((24, 1, 12, 12), dtype=np.float32)
np.save("samples.npy", x)
with torch.no_grad():
    labels = net(torch.from_numpy(x)).argmax(1).numpy().astype(np.uint8)
open("labels.idx", "wb").write(struct.pack(">II", 0x801, len(labels)) + labels.tobytes())
PY

"$zkvm" model build small.onnx --calibration samples.npy --commit-logits -o guest > build.log ||
  fail "model build: $(cat build.log)"
grep -q "calibration check" build.log || fail "no calibration check: $(cat build.log)"
"$zkvm" model input guest/model.zkml --images samples.npy --index 2 -o one.bin 2> /dev/null
"$zkvm" run guest/guest.elf --input one.bin --journal one.journal > /dev/null 2>&1
[ "$(stat -c %s one.journal)" = 9 ] || fail "journal: want a u32 class and 5 int8 logits"
"$zkvm" model eval small.onnx --model guest/model.zkml --guest guest/guest.elf --guest-limit 24 \
  --images samples.npy --labels labels.idx > eval.log || fail "model eval: $(cat eval.log)"
grep -q "identical to host int8 on 24/24" eval.log || fail "guest differs from host int8: $(cat eval.log)"
grep -E "float reference accuracy|host int8 accuracy|in-guest" eval.log
echo "torch export -> zkvm model build -> guest: identical to the host int8 run on 24 samples"
