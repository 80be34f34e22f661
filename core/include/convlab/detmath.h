// exp and log computed with basic IEEE double operations only, so they give the same bits
// natively and in wasm (libm implementations differ between glibc and emscripten's musl,
// which would break the "same seed => same parameters everywhere" guarantee).
#pragma once

namespace convlab {
float det_expf(float x);
float det_logf(float x);
}  // namespace convlab
