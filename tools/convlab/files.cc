// File reading and writing, and the argument list (cli.h).
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

#include "cli.h"

namespace convlab::cli {

std::string Args::next() {
  if (empty()) throw UsageError("an argument is missing");
  return args_[at_++];
}

std::string Args::value_of(const std::string& option) {
  if (empty() || args_[at_].rfind("--", 0) == 0) throw UsageError(option + " needs a value");
  return args_[at_++];
}

int64_t Args::int_of(const std::string& option, int64_t min, int64_t max) {
  const std::string v = value_of(option);
  char* end = nullptr;
  errno = 0;
  const long long n = std::strtoll(v.c_str(), &end, 10);
  if (v.empty() || *end != '\0' || errno == ERANGE || n < min || n > max)
    throw UsageError(option + " must be a whole number from " + std::to_string(min) + " to " + std::to_string(max) + ", not \"" + v + "\"");
  return n;
}

namespace {
struct Closer {
  void operator()(FILE* f) const { std::fclose(f); }
};
using File = std::unique_ptr<FILE, Closer>;
}  // namespace

std::vector<uint8_t> read_file(const std::string& path, int64_t max_bytes) {
  File f(std::fopen(path.c_str(), "rb"));
  if (!f) throw std::runtime_error(path + ": cannot read it (" + std::strerror(errno) + "): check the path");
  std::vector<uint8_t> out;
  uint8_t buf[1 << 16];
  for (;;) {
    const size_t n = std::fread(buf, 1, sizeof buf, f.get());
    if (n == 0) break;
    if (int64_t(out.size() + n) > max_bytes)
      throw std::runtime_error(path + ": the file is larger than " + std::to_string(max_bytes >> 20) + " MB, more than ConvLab reads for it");
    out.insert(out.end(), buf, buf + n);
  }
  if (std::ferror(f.get())) throw std::runtime_error(path + ": cannot read it (a read error)");
  return out;
}

std::string read_text_file(const std::string& path, int64_t max_bytes) {
  const std::vector<uint8_t> b = read_file(path, max_bytes);
  return std::string(b.begin(), b.end());
}

void write_file(const std::string& path, const std::vector<uint8_t>& bytes) {
  File f(std::fopen(path.c_str(), "wb"));
  if (!f) throw std::runtime_error(path + ": cannot write it (" + std::strerror(errno) + "): check the folder exists and is writable");
  if (std::fwrite(bytes.data(), 1, bytes.size(), f.get()) != bytes.size() || std::fflush(f.get()) != 0)
    throw std::runtime_error(path + ": cannot write it (" + std::strerror(errno) + ")");
}

void write_text_file(const std::string& path, const std::string& text) {
  write_file(path, std::vector<uint8_t>(text.begin(), text.end()));
}

}  // namespace convlab::cli
