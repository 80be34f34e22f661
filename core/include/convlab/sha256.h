// SHA-256 (ref: FIPS 180-4, section 6.2), written here so the core needs nothing outside the
// standard library: an assignment is named by the hash of its canonical JSON, and a submission
// names its weights file by the hash of its bytes.
#pragma once
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace convlab {

class Sha256 {
 public:
  Sha256();
  void update(const uint8_t* data, size_t size);
  void update(std::string_view s) { update(reinterpret_cast<const uint8_t*>(s.data()), s.size()); }
  std::array<uint8_t, 32> digest();  // ends the hash; the object is spent afterwards

 private:
  void block(const uint8_t* p);  // one 64-byte block into h_
  uint32_t h_[8];
  uint8_t buf_[64];
  size_t fill_ = 0;
  uint64_t bytes_ = 0;
};

// Lower-case hex of the digest: 64 characters.
std::string sha256_hex(const uint8_t* data, size_t size);
inline std::string sha256_hex(std::string_view s) {
  return sha256_hex(reinterpret_cast<const uint8_t*>(s.data()), s.size());
}

}  // namespace convlab
