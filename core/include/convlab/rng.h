// A seeded generator that gives the same numbers on every platform: PCG32 (O'Neill 2014),
// integer arithmetic only, floats built from the top 24 bits (exact in float).
#pragma once
#include <cstdint>

namespace convlab {

class Rng {
 public:
  explicit Rng(uint64_t seed, uint64_t stream = 0x5851f42d4c957f2dULL) {
    inc_ = (stream << 1u) | 1u;
    next_u32();
    state_ += seed;
    next_u32();
  }
  uint32_t next_u32() {
    uint64_t old = state_;
    state_ = old * 6364136223846793005ULL + inc_;
    uint32_t xorshifted = static_cast<uint32_t>(((old >> 18u) ^ old) >> 27u);
    uint32_t rot = static_cast<uint32_t>(old >> 59u);
    return (xorshifted >> rot) | (xorshifted << ((32u - rot) & 31u));
  }
  // [0, 1), a multiple of 2^-24.
  float uniform() { return static_cast<float>(next_u32() >> 8) * (1.0f / 16777216.0f); }
  // [0, n) without modulo bias (rejection).
  uint32_t below(uint32_t n) {
    uint32_t threshold = (0u - n) % n;
    for (;;) {
      uint32_t r = next_u32();
      if (r >= threshold) return r % n;
    }
  }

 private:
  uint64_t state_ = 0, inc_ = 0;
};

}  // namespace convlab
