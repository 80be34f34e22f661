#include "image.h"

#include <png.h>

#include <algorithm>
// jpeglib.h needs size_t and FILE declared first
#include <cstdio>
#include <csetjmp>
#include <jpeglib.h>

#include "convlab/rules.h"

namespace convlab::cli {

namespace {

void check_size(int64_t w, int64_t h, const std::string& what) {
  if (w < 1 || h < 1) throw ImageError(what + ": the image has no pixels (" + std::to_string(w) + "x" + std::to_string(h) + ")");
  if (w > rules::kUploadMaxSide || h > rules::kUploadMaxSide || w * h > rules::kUploadMaxPixels)
    throw ImageError(what + ": the image is " + std::to_string(w) + "x" + std::to_string(h) + " pixels; ConvLab reads images up to " +
                     std::to_string(rules::kUploadMaxSide) + " pixels a side and " + std::to_string(rules::kUploadMaxPixels) +
                     " pixels in all: make it smaller first");
}

// libjpeg's error manager, with error_exit jumping back instead of exiting the process.
struct JpegError {
  jpeg_error_mgr mgr;
  std::jmp_buf jump;
  char message[JMSG_LENGTH_MAX];
};

void jpeg_error_exit(j_common_ptr cinfo) {
  auto* err = reinterpret_cast<JpegError*>(cinfo->err);
  (*cinfo->err->format_message)(cinfo, err->message);
  std::longjmp(err->jump, 1);
}
void jpeg_quiet(j_common_ptr, int) {}  // warnings (a corrupt but decodable file) are not printed

}  // namespace

Rgba decode_png(const uint8_t* data, size_t size, const std::string& what) {
  png_image im{};
  im.version = PNG_IMAGE_VERSION;
  if (!png_image_begin_read_from_memory(&im, data, size))
    throw ImageError(what + ": not a readable PNG (" + im.message + ")");
  const int64_t w = im.width, h = im.height;
  try {
    check_size(w, h, what);
  } catch (...) {
    png_image_free(&im);
    throw;
  }
  // 8-bit RGBA, as the browser's canvas gives: gray and palette images are expanded, 16-bit
  // ones reduced, a colour-managed file converted to sRGB
  im.format = PNG_FORMAT_RGBA;
  Rgba out;
  out.width = int(w);
  out.height = int(h);
  out.pixels.resize(size_t(PNG_IMAGE_SIZE(im)));
  if (!png_image_finish_read(&im, nullptr, out.pixels.data(), 0, nullptr)) {
    const std::string msg = im.message;
    png_image_free(&im);
    throw ImageError(what + ": the PNG is damaged (" + msg + ")");
  }
  png_image_free(&im);
  return out;
}

// The libjpeg calls, in a function of their own with setjmp at its top: after a longjmp only
// what lives in memory (the pointees) is read, never a local changed since setjmp.
enum class JpegResult { kOk, kError, kTooLarge, kCmyk };
static JpegResult jpeg_run(jpeg_decompress_struct* cinfo, JpegError* err, Rgba* out, const uint8_t* data, size_t size) {
  if (setjmp(err->jump)) return JpegResult::kError;
  jpeg_create_decompress(cinfo);
  jpeg_mem_src(cinfo, data, static_cast<unsigned long>(size));
  jpeg_read_header(cinfo, TRUE);
  out->width = int(cinfo->image_width);
  out->height = int(cinfo->image_height);
  const int64_t w = out->width, h = out->height;
  if (w < 1 || h < 1 || w > rules::kUploadMaxSide || h > rules::kUploadMaxSide || w * h > rules::kUploadMaxPixels)
    return JpegResult::kTooLarge;
  if (cinfo->jpeg_color_space == JCS_CMYK || cinfo->jpeg_color_space == JCS_YCCK) return JpegResult::kCmyk;
  cinfo->out_color_space = JCS_EXT_RGBA;  // libjpeg-turbo's: RGB plus alpha 255
  jpeg_start_decompress(cinfo);
  out->width = int(cinfo->output_width);
  out->height = int(cinfo->output_height);
  out->pixels.resize(size_t(out->width) * size_t(out->height) * 4);
  while (cinfo->output_scanline < cinfo->output_height) {
    JSAMPROW row = out->pixels.data() + size_t(cinfo->output_scanline) * size_t(out->width) * 4;
    jpeg_read_scanlines(cinfo, &row, 1);
  }
  jpeg_finish_decompress(cinfo);
  return JpegResult::kOk;
}

Rgba decode_jpeg(const uint8_t* data, size_t size, const std::string& what) {
  jpeg_decompress_struct cinfo{};
  JpegError err{};
  cinfo.err = jpeg_std_error(&err.mgr);
  err.mgr.error_exit = jpeg_error_exit;
  err.mgr.emit_message = jpeg_quiet;
  Rgba out;
  const JpegResult r = jpeg_run(&cinfo, &err, &out, data, size);
  jpeg_destroy_decompress(&cinfo);
  if (r == JpegResult::kError)
    throw ImageError(what + ": the JPEG is damaged or not supported (" + std::string(err.message) + ")");
  if (r == JpegResult::kTooLarge) check_size(out.width, out.height, what);  // throws
  if (r == JpegResult::kCmyk) throw ImageError(what + ": a CMYK JPEG (print colours): save it as RGB first");
  return out;
}

Rgba decode_image(const uint8_t* data, size_t size, const std::string& what) {
  static const uint8_t kPng[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  if (size >= 8 && std::equal(kPng, kPng + 8, data)) return decode_png(data, size, what);
  if (size >= 3 && data[0] == 0xff && data[1] == 0xd8 && data[2] == 0xff) return decode_jpeg(data, size, what);
  if (size == 0) throw ImageError(what + ": the file is empty");
  throw ImageError(what + ": neither a PNG nor a JPEG file (ConvLab reads these two; convert the image to PNG first)");
}

}  // namespace convlab::cli
