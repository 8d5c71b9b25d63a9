// Datasets for calibration and evaluation: IDX files (the MNIST format,
// optionally gzip-compressed) and raw little-endian float32 files.
// Pixels are normalised x = pixel / 255.0 everywhere (examples/models/train.py).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace zkvm::model {

struct Images {
  size_t count = 0;
  size_t sample_size = 0;   // floats per sample
  std::vector<float> data;  // count * sample_size
};

// Loads images from `path`:
//  - IDX ubyte images (magic 0x00000803, gzip or plain): pixel / 255.0,
//    sample_size = rows * cols;
//  - a binary PGM (P5, 8-bit, maxval 255) or an 8-bit grayscale PNG: one
//    image, pixel / 255.0;
//  - a .npy file of little-endian float32 in C order: samples of
//    `sample_size` values;
//  - otherwise raw float32 (little-endian), sample_size = `sample_size`
//    (must divide the file size).
// At most `limit` samples are returned (0 = all). Throws std::runtime_error
// naming the file and the problem (bad magic, truncated, size mismatch).
Images load_images(const std::string& path, size_t sample_size, size_t limit = 0);

// Loads IDX ubyte labels (magic 0x00000801, gzip or plain).
std::vector<uint8_t> load_labels(const std::string& path, size_t limit = 0);

// Whole file, gunzipped if it starts with the gzip magic; at most max_bytes
// after decompression.
std::vector<uint8_t> read_maybe_gz(const std::string& path, uint64_t max_bytes = 1ull << 30);

}  // namespace zkvm::model
