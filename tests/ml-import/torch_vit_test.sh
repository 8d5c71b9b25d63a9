#!/usr/bin/env bash
# The vision transformer of examples/models/train_vit.py (untrained, fixed
# seed, a scaled head so that its logits differ clearly) as Debian's torch
# exports it at opset 13 (LayerNorm decomposed into ReduceMean, Sub, Pow,
# ReduceMean, Add, Sqrt, Div, Mul, Add; GELU in its tanh form) and at opset
# 17 (LayerNormalization; GELU's Erf form): `zkvm model import` must turn
# each LayerNorm and GELU into one node (5 and 2), and `zkvm model eval`'s
# float reference must predict torch's class on 20 test images.
#   torch_vit_test.sh ZKVM PYTHON3 SOURCE_DIR TEST_IMAGES_GZ WORK_DIR
set -euo pipefail
Z=$1 PY=$2 SRC=$3 IMAGES=$4 W=$5
rm -rf "$W"; mkdir -p "$W"; cd "$W"
fail() { echo "FAIL: $*" >&2; exit 1; }
"$PY" - "$SRC/examples/models" "$IMAGES" <<'PYEOF'
import gzip, struct, sys
import numpy as np, torch
sys.path.insert(0, sys.argv[1])
import train_vit as tv
with gzip.open(sys.argv[2], "rb") as f:
    raw = f.read()
imgs = np.frombuffer(raw[16:16 + 20 * 784], dtype=np.uint8).reshape(20, 784)
with open("images.idx", "wb") as f:
    f.write(struct.pack(">IIII", 0x803, 20, 28, 28) + imgs.tobytes())
x = torch.from_numpy(imgs.astype(np.float32) / 255.0).view(20, 1, 28, 28)
for opset, tanh in ((13, True), (17, False)):
    torch.manual_seed(3)
    m = tv.ViT(gelu_tanh=tanh).eval()
    with torch.no_grad():
        m.head.weight.mul_(20.0)
        m.pos.normal_(0.0, 0.5)
    torch.onnx.export(m, torch.zeros(1, 1, 28, 28), f"vit{opset}.onnx", opset_version=opset)
    with torch.no_grad():
        pred = torch.cat([m(x[i:i + 1]) for i in range(20)]).argmax(1).numpy().astype(np.uint8)
    with open(f"labels{opset}.idx", "wb") as f:
        f.write(struct.pack(">II", 0x801, 20) + pred.tobytes())
PYEOF
for o in 13 17; do
  out=$("$Z" model import "vit$o.onnx" --calibration images.idx --calib-limit 20 --check-limit 5 -o "vit$o.zkml") ||
    fail "opset $o: import failed"
  ln=$(grep -c ": LayerNorm '" <<<"$out" || true)
  ge=$(grep -c ": Gelu '" <<<"$out" || true)
  form=$([ $o = 13 ] && echo "tanh form" || echo "erf form")
  [ "$ln" = 5 ] || fail "opset $o: $ln LayerNorm nodes, want 5"
  [ "$ge" = 2 ] || fail "opset $o: $ge Gelu nodes, want 2"
  grep -q "Gelu .*$form" <<<"$out" || fail "opset $o: GELU is not the $form"
  ev=$("$Z" model eval "vit$o.onnx" --model "vit$o.zkml" --images images.idx --labels "labels$o.idx")
  grep -q "float reference accuracy: 100.00% (20/20)" <<<"$ev" || fail "opset $o: float reference differs from torch: $ev"
  echo "opset $o: 5 LayerNorm and 2 Gelu ($form) nodes; float reference predicts torch's class on 20/20 images"
done
echo "torch ViT exports import with fused LayerNorm and GELU"
