// IDX (MNIST format) and raw float32 datasets, gzip via zlib. Header fields
// are checked against the file size before anything is allocated from them.
#include "zkvm_model/dataset.h"

#include <png.h>
#include <zlib.h>

#include <algorithm>
#include <cctype>
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

namespace {

// A w x h image's size against the model input (sample_size 0: any).
void check_image_size(const std::string& path, const char* format, uint64_t w, uint64_t h, size_t sample_size) {
  if (w == 0 || h == 0 || w > 4096 || h > 4096)
    fail(path, std::string("implausible ") + format + " size " + std::to_string(w) + "x" + std::to_string(h));
  if (sample_size && sample_size != w * h)
    fail(path, "image has " + std::to_string(w * h) + " pixels, the model input needs " + std::to_string(sample_size));
}

// One 8-bit gray image of w x h pixels (PGM, PNG): pixel / 255 as for IDX.
Images gray_image(const std::string& path, const char* format, const uint8_t* px, uint64_t w, uint64_t h,
                  size_t sample_size) {
  check_image_size(path, format, w, h, sample_size);
  Images im;
  im.count = 1;
  im.sample_size = w * h;
  im.data.resize(w * h);
  for (size_t i = 0; i < im.data.size(); ++i) im.data[i] = static_cast<float>(px[i]) / 255.0f;
  return im;
}

// Little-endian float32 samples of sample_size values (raw files, .npy
// data): at most `limit` of them (0 = all).
Images float_samples(const uint8_t* data, size_t bytes, size_t sample_size, size_t limit) {
  Images im;
  const size_t n = bytes / (4 * sample_size);
  im.sample_size = sample_size;
  im.count = limit ? std::min(n, limit) : n;
  im.data.resize(im.count * sample_size);
  std::memcpy(im.data.data(), data, im.data.size() * 4);
  return im;
}

// Binary PGM (P5, maxval 255): one image, pixel / 255 as for IDX. Header: "P5", width,
// height, maxval, separated by whitespace (comments start with '#'), then one
// whitespace byte and width * height bytes.
Images load_pgm(const std::string& path, const std::vector<uint8_t>& b, size_t sample_size) {
  size_t pos = 2;
  auto next_number = [&](const char* what) -> uint64_t {
    for (;;) {
      while (pos < b.size() && std::isspace(b[pos])) ++pos;
      if (pos < b.size() && b[pos] == '#') {
        while (pos < b.size() && b[pos] != '\n') ++pos;
        continue;
      }
      break;
    }
    if (pos >= b.size() || !std::isdigit(b[pos])) fail(path, std::string("PGM header: no ") + what);
    uint64_t v = 0;
    while (pos < b.size() && std::isdigit(b[pos]) && v < (1u << 20)) v = 10 * v + (b[pos++] - '0');
    return v;
  };
  const uint64_t w = next_number("width"), h = next_number("height"), maxval = next_number("maxval");
  check_image_size(path, "PGM", w, h, 0);
  if (maxval != 255) fail(path, "PGM maxval " + std::to_string(maxval) + " (only 8-bit PGM with maxval 255 is supported)");
  if (pos >= b.size() || !std::isspace(b[pos])) fail(path, "PGM header: no whitespace before the pixels");
  ++pos;
  if (b.size() - pos != w * h)
    fail(path, "PGM of " + std::to_string(w) + "x" + std::to_string(h) + " pixels has " + std::to_string(b.size() - pos) +
                   " bytes of pixel data");
  return gray_image(path, "PGM", b.data() + pos, w, h, sample_size);
}

// PNG, 8-bit grayscale without alpha (what a dataset image is): one image,
// pixel / 255. Colour, alpha and 16-bit files are refused rather than
// converted, so the bytes a guest gets are the file's pixels.
Images load_png(const std::string& path, const std::vector<uint8_t>& b, size_t sample_size) {
  png_image img{};
  img.version = PNG_IMAGE_VERSION;
  if (!png_image_begin_read_from_memory(&img, b.data(), b.size())) fail(path, std::string("PNG: ") + img.message);
  struct Free {
    png_image* p;
    ~Free() { png_image_free(p); }
  } guard{&img};
  if (img.format != PNG_FORMAT_GRAY)
    fail(path, "PNG is not 8-bit grayscale without alpha (format " + std::to_string(img.format) +
                   "); convert it, e.g. to an 8-bit gray PNG or a PGM");
  check_image_size(path, "PNG", img.width, img.height, sample_size);  // before the buffer is allocated
  std::vector<uint8_t> px(PNG_IMAGE_SIZE(img));
  if (!png_image_finish_read(&img, nullptr, px.data(), 0, nullptr)) fail(path, std::string("PNG: ") + img.message);
  return gray_image(path, "PNG", px.data(), img.width, img.height, sample_size);
}

// .npy (format 1.0/2.0/3.0): little-endian float32 ('<f4'), C order; the
// total size is a whole number of samples.
Images load_npy(const std::string& path, const std::vector<uint8_t>& b, size_t sample_size, size_t limit) {
  if (b.size() < 10) fail(path, "truncated .npy header");
  const unsigned major = b[6];
  size_t hlen = 0, start = 0;
  if (major == 1) {
    hlen = b[8] | (size_t{b[9]} << 8), start = 10;
  } else if (major == 2 || major == 3) {
    if (b.size() < 12) fail(path, "truncated .npy header");
    hlen = b[8] | (size_t{b[9]} << 8) | (size_t{b[10]} << 16) | (size_t{b[11]} << 24), start = 12;
  } else {
    fail(path, ".npy format version " + std::to_string(major) + " is not supported");
  }
  if (hlen > b.size() - start) fail(path, "truncated .npy header");
  const std::string header(b.begin() + static_cast<long>(start), b.begin() + static_cast<long>(start + hlen));
  const auto has = [&](const char* s) { return header.find(s) != std::string::npos; };
  if (!has("'descr': '<f4'")) fail(path, ".npy dtype is not little-endian float32 ('<f4'): header " + header);
  if (!has("'fortran_order': False")) fail(path, ".npy in Fortran order is not supported");
  const size_t data = start + hlen, bytes = b.size() - data;
  if (sample_size == 0) fail(path, ".npy data needs a known sample size");
  if (bytes == 0 || bytes % (4 * sample_size) != 0)
    fail(path, ".npy holds " + std::to_string(bytes / 4) + " floats, not a whole number of samples of " +
                   std::to_string(sample_size));
  return float_samples(b.data() + data, bytes, sample_size, limit);
}

}  // namespace

Images load_images(const std::string& path, size_t sample_size, size_t limit) {
  auto b = read_maybe_gz(path);
  if (b.size() >= 3 && b[0] == 'P' && b[1] == '5' && std::isspace(b[2])) return load_pgm(path, b, sample_size);
  if (b.size() >= 6 && std::memcmp(b.data(), "\x93NUMPY", 6) == 0) return load_npy(path, b, sample_size, limit);
  if (b.size() >= 8 && std::memcmp(b.data(), "\x89PNG\r\n\x1a\n", 8) == 0) return load_png(path, b, sample_size);
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
  return float_samples(b.data(), b.size(), sample_size, limit);
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
