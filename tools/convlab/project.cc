#include "project.h"

#include <algorithm>
#include <stdexcept>

#include "convlab/json.h"
#include "convlab/rules.h"
#include "zip.h"

namespace convlab::cli {

namespace {

const char* kNotOurs =
    "This is not a ConvLab project file (.convlab): give a file that ConvLab saved with \"Save project as file\".";

[[noreturn]] void fail(const std::string& msg) { throw std::runtime_error(msg); }

Json parse_entry(const ZipReader& zip, const ZipEntry& e) {
  const std::string text = zip.read_text(e, rules::kMaxProjectJsonBytes);
  try {
    return Json::parse(text);
  } catch (const std::exception& ex) {
    fail("The project file's " + e.name + " is not valid JSON (" + ex.what() + "): the file is damaged.");
  }
}

bool whole(const Json* j, double min) {
  return j && j->is_number() && j->as_number() == double(int64_t(j->as_number())) && j->as_number() >= min;
}

}  // namespace

Project read_project(const uint8_t* data, size_t size, ImageOrder order) {
  const ZipReader zip(data, size, project_zip_limits());
  const ZipEntry* m = zip.find("convlab.json");
  if (!m) fail(kNotOurs);
  Json man;
  try {
    man = Json::parse(zip.read_text(*m, rules::kMaxProjectJsonBytes));
  } catch (const JsonError&) {
    fail(kNotOurs);
  }
  const Json* format = man.is_object() ? man.find("format") : nullptr;
  if (!format || !format->is_string() || format->as_string() != "convlab-project") fail(kNotOurs);
  const Json* version = man.find("version");
  if (!whole(version, 1)) fail("The project file has no valid format version: it is damaged.");
  if (version->as_number() > rules::kProjectFormatVersion)
    fail("The project file was saved by a newer ConvLab (format version " + version->dump() + "); this one reads versions up to " +
         std::to_string(rules::kProjectFormatVersion) + ". Use a newer convlab.");
  const Json* count = man.find("image_count");
  if (!whole(count, 0)) fail("The project file is damaged (its number of images is missing).");
  if (count->as_number() > rules::kMaxImagesPerProject)
    fail("The project file claims " + count->dump() + " images; a project holds at most " + std::to_string(rules::kMaxImagesPerProject) + ".");
  const Json* images = man.find("images");
  if (!images || !images->is_array() || double(images->size()) != count->as_number())
    fail("The project file is damaged (its list of images does not match its number of images).");

  Project p;
  if (const Json* n = man.find("name"); n && n->is_string()) p.name = n->as_string();
  const Json* classes = man.find("classes");
  if (classes && classes->is_array())
    for (const Json& c : classes->items())
      if (c.is_string()) p.classes.push_back(c.as_string());
  if (!classes || !classes->is_array() || p.classes.size() != classes->size() || int(p.classes.size()) < rules::kMinClasses ||
      int(p.classes.size()) > rules::kMaxClasses)
    fail("The project file's classes are not readable (it needs " + std::to_string(rules::kMinClasses) + " to " +
         std::to_string(rules::kMaxClasses) + " named classes): it is damaged.");

  if (const ZipEntry* e = zip.find("spec.json")) p.spec = zip.read_text(*e, rules::kMaxProjectJsonBytes);
  if (const ZipEntry* e = zip.find("settings.json")) {
    const Json s = parse_entry(zip, *e);
    if (!s.is_object()) fail("The project file's settings.json is not an object of settings: the file is damaged.");
    p.settings = s.dump();
  }
  p.has_draft = zip.find("draft.json") != nullptr;
  if (const ZipEntry* e = zip.find("assignment.json")) p.assignment = zip.read_text(*e, rules::kAssignmentMaxBytes);
  if (const ZipEntry* e = zip.find("submission.json")) p.submission = zip.read_text(*e, rules::kSubmissionMaxBytes);
  if (const ZipEntry* e = zip.find("weights.safetensors")) {
    p.weights = zip.read(*e);  // the entry limit: the most parameters a model has, as float32
    p.has_weights = true;
  }

  // a stored image is at most kStoredCap pixels a side (rules.h), so its PNG is never larger
  // than this (the page's reader uses the same bound)
  const int64_t png_limit = int64_t{rules::kStoredCap} * rules::kStoredCap * 8 + 4096;
  std::vector<std::vector<ProjectImage>> by_class(p.classes.size());
  int bad = 0;
  for (const Json& im : images->items()) {
    const Json* split = im.is_object() ? im.find("split") : nullptr;
    const bool test = split && split->is_string() && split->as_string() == "test";
    if (test && order == ImageOrder::Page) continue;  // the test set is never trained on
    try {
      const Json* file = im.is_object() ? im.find("file") : nullptr;
      const Json* k = im.is_object() ? im.find("class") : nullptr;
      const Json* w = im.is_object() ? im.find("width") : nullptr;
      const Json* h = im.is_object() ? im.find("height") : nullptr;
      const ZipEntry* e = file && file->is_string() ? zip.find(file->as_string()) : nullptr;
      if (!e || !whole(k, 0) || k->as_number() >= double(p.classes.size())) throw std::runtime_error("no such image");
      const std::vector<uint8_t> png = zip.read(*e, png_limit);
      Rgba rgba = decode_png(png.data(), png.size(), e->name);
      if (rgba.width > rules::kStoredCap || rgba.height > rules::kStoredCap || !w || !h || !w->is_number() || !h->is_number() ||
          rgba.width != w->as_number() || rgba.height != h->as_number())
        throw std::runtime_error("size");
      const int label = int(k->as_number());
      if (order == ImageOrder::File) p.images.push_back({label, std::move(rgba), true, test});
      else by_class[size_t(label)].push_back({label, std::move(rgba)});
    } catch (const std::exception&) {
      ++bad;  // a missing, damaged or oversized image: the rest of the project is read
      const Json* k = im.is_object() ? im.find("class") : nullptr;
      if (order == ImageOrder::File) p.images.push_back({whole(k, 0) ? int(std::min(k->as_number(), 1e6)) : -1, {}, false, test});
    }
  }
  for (auto& list : by_class)
    for (auto& im : list) p.images.push_back(std::move(im));
  if (bad) p.skipped.push_back(std::to_string(bad) + (bad == 1 ? " image was" : " images were") + " missing or damaged and left out");
  return p;
}

}  // namespace convlab::cli
