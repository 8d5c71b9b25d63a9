#!/usr/bin/env bash
# Pre-quantized ONNX: a QDQ model (QuantizeLinear/DequantizeLinear around
# Conv, Gemm and MatMul) and a QOperator model (QLinearConv, QLinearMatMul),
# both written by make_qdq_models.py with python3-onnx, import without
# calibration data; guests built from them by `zkvm model build` commit the
# int8 outputs that numpy computes by ONNX's definitions.
#   qdq_test.sh ZKVM PYTHON3 WORK_DIR
set -euo pipefail
zkvm=$1 python=$2 work=$3
here=$(cd "$(dirname "$0")" && pwd)
rm -rf "$work"; mkdir -p "$work"; cd "$work"
fail() { echo "FAIL: $*" >&2; exit 1; }
"$python" "$here/make_qdq_models.py" .

for m in qdq qop qaxis; do
  # No --calibration: every activation's scale comes from the model.
  "$zkvm" model build $m.onnx -o $m --batch 0 --commit-logits > $m.log || fail "$m: $(cat $m.log)"
  grep -q "pre-quantized model: the given scales and zero points are used (0 activation(s) without them)" $m.log ||
    fail "$m: not imported as pre-quantized: $(cat $m.log)"
  "$zkvm" model input $m/model.zkml --images input.npy --count 4 --layout batch -o $m.in 2> /dev/null
  "$zkvm" run $m/guest.elf --input $m.in --journal $m.journal > /dev/null 2>&1
  # Journal: u32 count, then per sample a u32 class and the int8 outputs
  # (10; qaxis: 4 x 8 x 8, per-axis parameters along the channels).
  outs=10; [ $m = qaxis ] && outs=256
  "$python" - $m.journal expected_$m.i8 $m $outs <<'PY'
import sys
j = open(sys.argv[1], "rb").read()
exp = open(sys.argv[2], "rb").read()
o = int(sys.argv[4])
n = int.from_bytes(j[:4], "little")
assert n == 4, n
assert len(j) == 4 + n * (4 + o), len(j)
got = b"".join(j[4 + (4 + o) * k + 4:4 + (4 + o) * k + 4 + o] for k in range(n))
diff = [abs(((a + 128) % 256) - ((b + 128) % 256)) for a, b in zip(got, exp)]
print("%s: %d of %d int8 outputs equal to ONNX's, largest difference %d" %
      (sys.argv[3], diff.count(0), len(diff), max(diff)))
assert got == exp, "int8 outputs differ from ONNX's: %s vs %s" % (list(got), list(exp))
PY
done

# A tensor whose scale the model does not give needs calibration data.
"$python" - <<'PY'
import onnx
from onnx import helper
m = onnx.load("qdq.onnx")
g = m.graph
# Drop the QuantizeLinear/DequantizeLinear pair after the Gemm: h has no scale then.
keep = [n for n in g.node if not (n.output[0] in ("hq", "hd"))]
for n in keep:
    for i, x in enumerate(n.input):
        if x == "hd":
            n.input[i] = "h"
del g.node[:]
g.node.extend(keep)
onnx.save(m, "partial.onnx")
PY
set +e; out=$("$zkvm" model import partial.onnx -o partial.zkml 2>&1); rc=$?; set -e
[ "$rc" = 2 ] || fail "partial.onnx without calibration: exit $rc: $out"
grep -q "get no quantization parameters from the model; give --calibration DATA" <<<"$out" || fail "message: $out"
"$zkvm" model import partial.onnx -o partial.zkml --calibration input.npy > partial.log ||
  fail "partial.onnx with calibration: $(cat partial.log)"
grep -q "activation(s) without them, calibrated" partial.log || fail "partial: $(cat partial.log)"
grep -q "Requant" qaxis.log || fail "qaxis: no Requant node: $(cat qaxis.log)"
grep -q "given per axis 2" qaxis.log || fail "qaxis: the input is not quantized per axis: $(cat qaxis.log)"
echo "pre-quantized QDQ and QLinear models: guest outputs equal ONNX's int8 outputs"
