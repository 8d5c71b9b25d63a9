// IDX (MNIST format) and raw float32 datasets, gzip via zlib. Header fields
// are checked against the file size before anything is allocated from them.
#include "zkvm_model/dataset.h"

#include <zlib.h>

#include <cstring>
#include <fstream>
#include <stdexcept>

namespace zkvm::model {

namespace {

[[noreturn]] void fail(const std::string& path, const std::string& msg) {
  throw std::runtime_error(path + ": " + msg);
}

uint32_t be32(const uint8_t* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | uint32_t{p[3]};
}

}  // namespace

std::vector<uint8_t> read_maybe_gz(const std::string& path, uint64_t max_bytes) {
  std::ifstream f(path, std::ios::binary | std::ios::ate);
  if (!f) fail(path, "cannot open");
  const auto size = static_cast<uint64_t>(f.tellg());
  if (size > max_bytes) fail(path, "file is larger than " + std::to_string(max_bytes) + " bytes");
  std::vector<uint8_t> raw(size);
  f.seekg(0);
  if (size && !f.read(reinterpret_cast<char*>(raw.data()), static_cast<std::streamsize>(size)))
    fail(path, "read error");
  if (size < 2 || raw[0] != 0x1f || raw[1] != 0x8b) return raw;

  z_stream zs{};
  if (inflateInit2(&zs, 15 + 16) != Z_OK) fail(path, "zlib init failed");  // +16: gzip wrapper
  std::vector<uint8_t> out;
  zs.next_in = raw.data();
  zs.avail_in = static_cast<uInt>(raw.size());
  uint8_t buf[1 << 16];
  int rc = Z_OK;
  while (rc != Z_STREAM_END) {
    zs.next_out = buf;
    zs.avail_out = sizeof buf;
    rc = inflate(&zs, Z_NO_FLUSH);
    if (rc != Z_OK && rc != Z_STREAM_END) {
      inflateEnd(&zs);
      fail(path, std::string("corrupt or truncated gzip data (") + (zs.msg ? zs.msg : "zlib error") + ")");
    }
    const size_t got = sizeof buf - zs.avail_out;
    if (out.size() + got > max_bytes) {
      inflateEnd(&zs);
      fail(path, "decompresses to more than " + std::to_string(max_bytes) + " bytes");
    }
    out.insert(out.end(), buf, buf + got);
    if (rc == Z_OK && got == 0 && zs.avail_in == 0) {
      inflateEnd(&zs);
      fail(path, "truncated gzip data");
    }
  }
  inflateEnd(&zs);
  return out;
}

Images load_images(const std::string& path, size_t sample_size, size_t limit) {
  auto b = read_maybe_gz(path);
  Images im;
  if (b.size() >= 4 && be32(b.data()) == 0x00000803u) {
    if (b.size() < 16) fail(path, "truncated IDX header");
    const uint64_t n = be32(b.data() + 4), rows = be32(b.data() + 8), cols = be32(b.data() + 12);
    if (rows == 0 || cols == 0 || rows > 4096 || cols > 4096) fail(path, "implausible IDX image size");
    if (n > (b.size() - 16) / (rows * cols) || 16 + n * rows * cols != b.size())
      fail(path, "IDX header says " + std::to_string(n) + " images of " + std::to_string(rows) + "x" +
                     std::to_string(cols) + " but the data has " + std::to_string(b.size() - 16) + " bytes");
    if (sample_size && sample_size != rows * cols)
      fail(path, "images have " + std::to_string(rows * cols) + " pixels, the model input needs " +
                     std::to_string(sample_size));
    im.sample_size = rows * cols;
    im.count = limit ? std::min<size_t>(n, limit) : n;
    im.data.resize(im.count * im.sample_size);
    for (size_t i = 0; i < im.data.size(); ++i) im.data[i] = static_cast<float>(b[16 + i]) / 255.0f;
    return im;
  }
  if (b.size() >= 4 && be32(b.data()) == 0x00000801u)
    fail(path, "this is an IDX label file, not images");
  // Raw little-endian float32.
  if (sample_size == 0) fail(path, "raw float32 data needs a known sample size");
  if (b.empty() || b.size() % (4 * sample_size) != 0)
    fail(path, "neither IDX images nor raw float32 samples of " + std::to_string(sample_size) + " values (" +
                   std::to_string(b.size()) + " bytes)");
  const size_t n = b.size() / (4 * sample_size);
  im.sample_size = sample_size;
  im.count = limit ? std::min(n, limit) : n;
  im.data.resize(im.count * sample_size);
  std::memcpy(im.data.data(), b.data(), im.data.size() * 4);
  return im;
}

std::vector<uint8_t> load_labels(const std::string& path, size_t limit) {
  auto b = read_maybe_gz(path);
  if (b.size() < 8 || be32(b.data()) != 0x00000801u) fail(path, "not an IDX label file (magic 0x00000801)");
  const uint64_t n = be32(b.data() + 4);
  if (8 + n != b.size())
    fail(path, "IDX header says " + std::to_string(n) + " labels but the file has " + std::to_string(b.size() - 8));
  const size_t cnt = limit ? std::min<size_t>(n, limit) : n;
  return {b.begin() + 8, b.begin() + 8 + static_cast<std::ptrdiff_t>(cnt)};
}

}  // namespace zkvm::model
