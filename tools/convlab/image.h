// PNG and JPEG files to RGBA pixels, for `convlab predict` and the images of a project file.
// PNG with libpng (its simplified png_image API), JPEG with libjpeg-turbo (the classic API, its
// errors caught by longjmp: libjpeg's default handler would call exit()). The size is checked
// from the header before any pixel is decoded, against core's upload limits
// (rules::kUploadMaxSide, kUploadMaxPixels), as the page does for an uploaded file.
#pragma once
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace convlab::cli {

struct ImageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct Rgba {
  int width = 0, height = 0;
  std::vector<uint8_t> pixels;  // (height, width, 4), row after row
};

// By the bytes' signature: PNG or JPEG, else an ImageError naming what the file seems to be.
// `what` names the image in messages ("cat.jpg", "images/0/000001.png"). Throws ImageError.
Rgba decode_image(const uint8_t* data, size_t size, const std::string& what);
Rgba decode_png(const uint8_t* data, size_t size, const std::string& what);
Rgba decode_jpeg(const uint8_t* data, size_t size, const std::string& what);

}  // namespace convlab::cli
