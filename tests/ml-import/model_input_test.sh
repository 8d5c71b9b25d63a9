#!/usr/bin/env bash
# `zkvm model input`: the same image given as an IDX index, a PGM, a PNG, a .npy
# array and raw float32 values gives the same guest input bytes as the example build's own input
# (zkml-tool); the batch and private layouts; bad files are named errors.
#   model_input_test.sh ZKVM MODEL.zkml IMAGE0.bin T10K_IMAGES.gz WORK_DIR
set -euo pipefail
zkvm=$1 model=$2 expect=$3 images=$4 work=$5
rm -rf "$work"; mkdir -p "$work"; cd "$work"
fail() { echo "FAIL: $*" >&2; exit 1; }

"$zkvm" model input "$model" --images "$images" --index 0 -o idx.bin
cmp idx.bin "$expect" || fail "IDX index 0 differs from the example's input"

# Image 0 as an 8-bit PGM and as a float32 .npy (pixel / 255), written by python3.
python3 - "$images" <<'PY'
import gzip, struct, sys
raw = gzip.open(sys.argv[1]).read()
n, rows, cols = struct.unpack(">III", raw[4:16])
px = raw[16:16 + rows * cols]
open("img.pgm", "wb").write(b"P5\n# image 0\n%d %d\n255\n" % (cols, rows) + px)
open("bad.pgm", "wb").write(b"P5\n27 28\n255\n" + px[:27 * 28])
# .npy 1.0 by hand (no numpy needed): p / 255 rounds to the float32 the
# loader computes (p / 255 never lies on a float32 rounding midpoint).
def npy(path, descr, fmt):
    hdr = "{'descr': '%s', 'fortran_order': False, 'shape': (1, 1, %d, %d), }" % (descr, rows, cols)
    hdr += " " * (63 - (10 + len(hdr)) % 64) + "\n"
    vals = [p / 255.0 for p in px]
    open(path, "wb").write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(hdr)) + hdr.encode() +
                           struct.pack("<%d%s" % (len(vals), fmt), *vals))
npy("img.npy", "<f4", "f")
open("img.f32", "wb").write(struct.pack("<%df" % len(px), *[p / 255.0 for p in px]))  # raw float32
npy("f64.npy", "<f8", "d")
# PNG by hand: 8-bit gray (colour type 0), and RGB (type 2) to be refused.
import zlib
def png(path, ctype, channels):
    def chunk(t, d):
        return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xffffffff)
    rows_b = b"".join(b"\x00" + bytes(c for p in px[r * cols:(r + 1) * cols] for c in [p] * channels)
                      for r in range(rows))
    open(path, "wb").write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", cols, rows, 8, ctype, 0, 0, 0)) +
                           chunk(b"IDAT", zlib.compress(rows_b)) + chunk(b"IEND", b""))
png("img.png", 0, 1)
png("rgb.png", 2, 3)
PY
"$zkvm" model input "$model" --images img.pgm -o pgm.bin
cmp pgm.bin "$expect" || fail "PGM input differs"
"$zkvm" model input "$model" --images img.npy -o npy.bin
cmp npy.bin "$expect" || fail ".npy input differs"
"$zkvm" model input "$model" --images img.f32 -o f32.bin
cmp f32.bin "$expect" || fail "raw float32 input differs"
"$zkvm" model input "$model" --images img.png -o png.bin
cmp png.bin "$expect" || fail "PNG input differs"

# Batch: u32 count, then the samples.
"$zkvm" model input "$model" --images "$images" --count 3 --layout batch -o batch.bin
[ "$(stat -c %s batch.bin)" = $((4 + 3 * 784)) ] || fail "batch size"
[ "$(od -An -tu4 -N4 batch.bin | tr -d ' ')" = 3 ] || fail "batch count"
cmp -n 784 -i 4:0 batch.bin "$expect" || fail "batch's first sample"
# Private: u32 model length, the model, then the sample.
"$zkvm" model input "$model" --images "$images" --layout private -o priv.bin
msize=$(stat -c %s "$model")
[ "$(stat -c %s priv.bin)" = $((4 + msize + 784)) ] || fail "private size"
cmp -n "$msize" -i 4:0 priv.bin "$model" || fail "private layout's model bytes"

# Errors: exit 2 and a message naming the file and the problem.
expect_error() {
  local want=$1; shift
  set +e; out=$("$zkvm" model input "$model" "$@" -o err.bin 2>&1); rc=$?; set -e
  [ "$rc" = 2 ] || fail "exit $rc for $*: $out"
  grep -q -- "$want" <<<"$out" || fail "no '$want' in: $out"
}
expect_error "bad.pgm: image has 756 pixels, the model input needs 784" --images bad.pgm
expect_error "f64.npy: .npy dtype is not little-endian float32" --images f64.npy
expect_error "rgb.png: PNG is not 8-bit grayscale without alpha" --images rgb.png
expect_error "has 10000 samples, fewer than 10001" --images "$images" --index 10000
expect_error "takes one sample, not 2" --images "$images" --count 2
echo "model input: IDX, PGM, PNG, .npy and raw float32 agree with the example input; batch and private layouts; errors named"
