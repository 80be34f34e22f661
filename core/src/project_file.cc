#include "convlab/project_file.h"

#include <algorithm>
#include <cmath>

#include "convlab/rules.h"
#include "convlab/zip.h"

namespace convlab::project_file {

namespace {

[[noreturn]] void fail(const std::string& msg) { throw ProjectFileError(msg); }
const char* kNotOurs = "This is not a ConvLab project file (.convlab): use a file that ConvLab saved with \"Save project as file\".";
const char* kNothing = " Nothing was changed.";

}  // namespace

using text::clean_text;
using text::count_chars;
using text::cut_chars;
using text::fold_case;
using text::shows_nothing;

ClassName check_class_name(std::string_view typed, const std::vector<std::string>& others) {
  const std::string clean = clean_text(typed);
  if (shows_nothing(clean)) fail("A class needs a name you can see: type at least one letter, digit or symbol.");
  if (text::hides_inside(clean))
    fail("That name contains invisible characters (zero-width spaces or joiners, direction marks): type it again without them.");
  bool cut = false;
  ClassName r{cut_chars(clean, size_t(rules::kClassNameMax), &cut), ""};
  const std::string key = fold_case(r.name);
  for (const std::string& o : others)
    if (fold_case(o) == key) fail("Another class is already called \"" + r.name + "\": give each class its own name.");
  if (cut) r.note = "The name was cut to " + std::to_string(rules::kClassNameMax) + " characters.";
  return r;
}

std::string project_name(std::string_view typed, std::string_view fallback) {
  const std::string clean = clean_text(typed);
  if (shows_nothing(clean)) return std::string(fallback);
  return cut_chars(clean, size_t(rules::kProjectNameMax));
}

std::optional<std::vector<std::string>> read_class_names(const Json& list, std::vector<std::string>& notes) {
  if (!list.is_array() || int(list.size()) < rules::kMinClasses || int(list.size()) > rules::kMaxClasses) return std::nullopt;
  std::vector<std::string> out;
  for (size_t i = 0; i < list.size(); ++i) {
    const Json& c = list.items()[i];
    try {
      if (!c.is_string()) fail("not text");
      const ClassName r = check_class_name(c.as_string(), out);
      if (!r.note.empty())
        notes.push_back("the name of class " + std::to_string(i + 1) + " was cut to " + std::to_string(rules::kClassNameMax) + " characters");
      out.push_back(r.name);
    } catch (const ProjectFileError&) {
      // an invisible, duplicate or non-text name: a visible one that is free
      std::string name;
      for (size_t k = i + 1;; ++k) {
        name = "Class " + std::to_string(k);
        const std::string key = fold_case(name);
        if (std::none_of(out.begin(), out.end(), [&](const std::string& o) { return fold_case(o) == key; })) break;
      }
      notes.push_back("class " + std::to_string(i + 1) + " had no usable name and is now called \"" + name + "\"");
      out.push_back(name);
    }
  }
  return out;
}

// ---- PNG ----
namespace {
uint32_t be32(const uint8_t* p) { return uint32_t(p[0]) << 24 | uint32_t(p[1]) << 16 | uint32_t(p[2]) << 8 | uint32_t(p[3]); }
}  // namespace

int64_t png_max_bytes(int width, int height) {
  // 8-bit RGBA scanlines with their filter byte, stored in deflate blocks of at most 65,535
  // bytes (5 bytes each) with the zlib wrapper, in IDAT chunks of at least 8 KB (12 bytes each)
  const int64_t raw = int64_t(height) * (1 + int64_t(width) * 4);
  const int64_t deflated = raw + 5 * (raw / 65535 + 1) + 6;
  return 8 + 25 + 12 + deflated + 12 * (deflated / 8192 + 1) + kPngAncillaryMax;
}

std::string check_png(const uint8_t* p, size_t n, int width, int height) {
  static constexpr uint8_t kSig[8] = {0x89, 'P', 'N', 'G', 0x0d, 0x0a, 0x1a, 0x0a};
  if (n < 8 + 25 + 12 || !std::equal(kSig, kSig + 8, p)) return "not a PNG";
  if (int64_t(n) > png_max_bytes(width, height)) return "more bytes than its pixels need";
  if (be32(p + 8) != 13 || std::string_view(reinterpret_cast<const char*>(p + 12), 4) != "IHDR") return "no IHDR";
  const uint8_t* h = p + 16;
  if (int64_t(be32(h)) != width || int64_t(be32(h + 4)) != height) return "its size differs from the file's list";
  // what both decoders read (image-codec.js and libpng) and what the page writes: 8-bit grey,
  // RGB or RGBA, not interlaced
  const int depth = h[8], type = h[9];
  if (depth != 8 || (type != 0 && type != 2 && type != 6) || h[10] != 0 || h[11] != 0 || h[12] != 0)
    return "a kind of PNG ConvLab does not store (it stores 8-bit grey, RGB or RGBA, not interlaced)";
  size_t at = 8;
  int64_t ancillary = 0;
  bool idat = false;
  for (;;) {
    if (at + 12 > n) return "cut short";
    const uint32_t len = be32(p + at);
    const std::string_view kind(reinterpret_cast<const char*>(p + at + 4), 4);
    if (len > n - at - 12) return "a chunk runs past its end";
    if (zip::crc32(p + at + 4, 4 + size_t(len)) != be32(p + at + 8 + len)) return "a chunk fails its checksum";
    if (kind == "IEND") {
      if (!idat) return "no pixels";
      return at + 12 + len == n && len == 0 ? "" : "bytes after its end";
    }
    if (kind == "IDAT") {
      idat = true;
    } else if (kind == "IHDR") {
      if (at != 8) return "two IHDR chunks";
    } else if ((ancillary += 12 + len) > kPngAncillaryMax) {
      return "more than " + std::to_string(kPngAncillaryMax) + " bytes of extra chunks";
    }
    at += 12 + len;
  }
}

// ---- reading ----
namespace {

zip::Limits limits() {
  return {rules::kMaxProjectFileBytes, rules::kMaxProjectUnpackedBytes, rules::kMaxProjectEntryBytes,
          int64_t{rules::kMaxImagesPerProject} + kNamedEntryCount};
}

bool whole(const Json* j, double min, double max = 1e15) {
  return j && j->is_number() && std::isfinite(j->as_number()) && j->as_number() == std::floor(j->as_number()) &&
         j->as_number() >= min && j->as_number() <= max;
}

Slice keep(ProjectFile& p, const zip::Reader& z, const zip::Entry& e, int64_t limit) {
  if (e.method == 0) {
    (void)z.read(e, limit);  // the size and the CRC-32, checked; stored bytes are the file's own
    return {e.start, e.usize, true};
  }
  std::vector<uint8_t> b = z.read(e, limit);
  Slice s{p.unpacked.size(), b.size(), false};
  p.unpacked.insert(p.unpacked.end(), b.begin(), b.end());
  return s;
}

// The training settings, only the keys the engine knows, each of its type and in its range
// (rules_json()'s train: the same table the page's settings form is built from).
Json read_settings(const Json& v, std::vector<std::string>& notes) {
  static const Json train = *rules::rules_json().find("train");
  const Json& defaults = *train.find("defaults");
  const Json& fields = *train.find("fields");
  const Json& optimizers = *train.find("optimizers");
  Json out = Json::object();
  std::vector<std::string> dropped;
  for (const auto& [key, value] : v.members()) {
    const Json* d = defaults.find(key);
    const Json* f = fields.find(key);
    bool ok = d && d->type() == value.type();
    if (ok && d->is_number()) {
      const double x = value.as_number();
      ok = std::isfinite(x);
      if (ok && f) {
        const Json* step = f->find("step");
        ok = x >= f->find("min")->as_number() && x <= f->find("max")->as_number() &&
             !(step && step->as_number() == 1 && x != std::floor(x));
      }
    }
    if (ok && key == "optimizer") {
      const std::string& want = value.as_string();  // (clang 14 cannot capture a structured binding)
      ok = std::any_of(optimizers.items().begin(), optimizers.items().end(), [&](const Json& o) { return o.as_string() == want; });
    }
    if (ok) out.append(key, value);
    else dropped.push_back(key);
  }
  if (!dropped.empty()) {
    std::string list;
    for (size_t i = 0; i < std::min<size_t>(dropped.size(), 5); ++i) list += (i ? ", " : "") + dropped[i].substr(0, 40);
    notes.push_back("some saved training settings were not readable (" + list + "); their defaults are used");
  }
  return out;
}

// answers.json: {question id: finite number}; the rest dropped with a note.
Json read_answers(const Json& v, std::vector<std::string>& notes) {
  Json out = Json::object();
  int bad = 0;
  for (const auto& [id, x] : v.members()) {
    const size_t len = count_chars(id);
    if (int(out.size()) < rules::kAssignmentMaxQuestions && len > 0 && int(len) <= rules::kQuestionIdMax && x.is_number() &&
        std::isfinite(x.as_number()))
      out.append(id, x);
    else
      ++bad;
  }
  if (bad) notes.push_back(std::to_string(bad) + " of the answers typed for the assignment were not readable and were dropped");
  return out;
}

}  // namespace

std::string skipped_images_note(int n) {
  return n == 1 ? "1 image could not be read and was skipped" : std::to_string(n) + " images could not be read and were skipped";
}

std::string undecodable_images_note(int n) {
  return n == 1 ? "1 more image could not be decoded and was skipped" : std::to_string(n) + " more images could not be decoded and were skipped";
}

const uint8_t* bytes_of(const ProjectFile& p, const uint8_t* file, const Slice& s) {
  return s.in_file ? file + s.offset : p.unpacked.data() + s.offset;
}

std::string size_problem(int64_t size) {
  if (size == 0) return "The file is empty.";
  if (size > rules::kMaxProjectFileBytes)
    return "The file is " + zip::mb(size) + "; a project file is at most " + zip::mb(rules::kMaxProjectFileBytes) + "." + kNothing;
  return "";
}

ProjectFile read(const uint8_t* data, size_t size) {
  if (const std::string why = size_problem(int64_t(size)); !why.empty()) fail(why);
  std::optional<zip::Reader> z;
  try {
    z.emplace(data, size, limits());
  } catch (const zip::ZipError& e) {
    fail(e.what());
  }
  ProjectFile p;
  auto& notes = p.notes;
  // JSON entries: their text, or nullopt with a note when unreadable (never a refusal: only the
  // manifest decides whether this is a project)
  auto text = [&](const char* name, int64_t limit, const std::string& problem) -> std::optional<std::string> {
    const zip::Entry* e = z->find(name);
    if (!e) return std::nullopt;
    try {
      return z->read_text(*e, limit);
    } catch (const zip::ZipError& err) {
      // the reader's sentence as a clause: "The project file's X is 300,040 bytes; at most ...
      // is allowed. Nothing was changed." -> "it is 300,040 bytes; at most ... is allowed"
      std::string why = err.what();
      if (why.ends_with(kNothing)) why.resize(why.size() - std::char_traits<char>::length(kNothing));
      if (!why.empty() && why.back() == '.') why.pop_back();
      const std::string own = std::string("The project file's ") + name + " ";
      if (why.rfind(own, 0) == 0) why = "it " + why.substr(own.size());
      else if (!why.empty() && why[0] == 'T') why[0] = 't';
      notes.push_back(problem + " (" + why + ")");
      return std::nullopt;
    }
  };
  auto json = [&](const char* name, const std::string& problem) -> std::optional<Json> {
    auto t = text(name, rules::kMaxProjectJsonBytes, problem);
    if (!t) return std::nullopt;
    try {
      return Json::parse(*t);
    } catch (const JsonError&) {
      notes.push_back(problem);
      return std::nullopt;
    }
  };

  const zip::Entry* m = z->find(kManifest);
  if (!m) fail(kNotOurs);
  Json man;
  try {
    man = Json::parse(z->read_text(*m, rules::kMaxProjectJsonBytes));
  } catch (const JsonError& e) {
    fail(std::string("The project file is damaged (its list of contents, convlab.json, is not readable JSON: ") + e.what() + ")." + kNothing);
  } catch (const zip::ZipError& e) {
    fail(e.what());
  }
  const Json* format = man.is_object() ? man.find("format") : nullptr;
  if (!format || !format->is_string() || format->as_string() != kFormat) fail(kNotOurs);
  const Json* version = man.find("version");
  if (!whole(version, 1)) fail("The project file has no valid format version: it is damaged.");
  if (version->as_number() > rules::kProjectFormatVersion)
    fail("The project file was saved by a newer ConvLab (format version " + version->dump() + "); this one reads versions up to " +
         std::to_string(rules::kProjectFormatVersion) + ". Open it in a newer ConvLab.");
  const Json* count = man.find("image_count");
  if (!whole(count, 0)) fail("The project file is damaged (its number of images is missing).");
  if (count->as_number() > rules::kMaxImagesPerProject)
    fail("The project file claims " + count->dump() + " images; a project holds at most " + std::to_string(rules::kMaxImagesPerProject) +
         "." + kNothing);
  const Json* images = man.find("images");
  if (!images || !images->is_array() || double(images->size()) != count->as_number())
    fail("The project file is damaged (its list of images does not match its number of images).");
  const Json* classes = man.find("classes");
  auto names = classes ? read_class_names(*classes, notes) : std::nullopt;
  if (!names)
    fail("The project file's classes are not readable (it needs " + std::to_string(rules::kMinClasses) + " to " +
         std::to_string(rules::kMaxClasses) + " named classes): it is damaged.");
  p.classes = std::move(*names);
  const Json* name = man.find("name");
  p.name = project_name(name && name->is_string() ? name->as_string() : "", "Imported project");
  const Json* created = man.find("created");
  p.created = created && created->is_number() && std::isfinite(created->as_number()) ? created->as_number() : 0;

  if (auto t = text("spec.json", rules::kMaxProjectJsonBytes, "the saved model was not readable; the default model is used")) {
    bool ok = false;
    try {
      ok = Json::parse(*t).is_object();
    } catch (const JsonError&) {
    }
    if (ok) p.spec = *t;
    else notes.push_back("the saved model was not readable; the default model is used");
  }
  if (auto s = json("settings.json", "the saved training settings were not readable; the defaults are used")) {
    if (s->is_object()) p.settings = read_settings(*s, notes).dump();
    else notes.push_back("the saved training settings were not readable; the defaults are used");
  }
  // the page's own view state: valid JSON is passed on, the page checks its shape (records.js)
  if (auto r = json("result.json", "the saved training curves were not readable")) p.result = r->dump();
  if (auto r = json("draft.json", "a model being edited could not be read and was dropped")) p.draft = r->dump();
  if (auto r = json("runs.json", "the saved earlier runs (for comparison) were not readable and were dropped")) p.runs = r->dump();
  if (const zip::Entry* e = z->find("weights.safetensors")) {
    try {
      if (e->usize < 8) throw zip::ZipError("too short for safetensors");  // its header's length alone is 8 bytes
      p.weights = keep(p, *z, *e, rules::kMaxProjectEntryBytes);
    } catch (const zip::ZipError&) {
      notes.push_back("the saved trained model was not readable; train again");
    }
  }
  if (auto a = text("assignment.json", rules::kAssignmentMaxBytes,
                    "the file's assignment (assignment.json) was not readable; the project opens without it"))
    p.assignment = *a;
  if (auto a = json("answers.json", "the saved answers to the assignment were not readable and were dropped")) {
    if (a->is_object()) p.answers = read_answers(*a, notes).dump();
    else notes.push_back("the saved answers to the assignment were not readable and were dropped");
  }
  if (z->find("submission.json")) {
    if (auto s = text("submission.json", rules::kSubmissionMaxBytes, "the hand-in's manifest (submission.json) was not readable")) p.submission = *s;
    else p.submission_unreadable = true;
  }

  bool bad_split = false;
  for (const Json& im : images->items()) {
    FileImage f;
    const Json* k = im.is_object() ? im.find("class") : nullptr;
    if (whole(k, 0, double(p.classes.size()) - 1)) f.label = int(k->as_number());
    const Json* split = im.is_object() ? im.find("split") : nullptr;
    // an image of unknown standing is never trained on: any split but "train" is the test set
    f.test = split && !(split->is_string() && split->as_string() == "train");
    if (f.test && !(split->is_string() && split->as_string() == "test")) bad_split = true;
    const Json* file = im.is_object() ? im.find("file") : nullptr;
    const Json* w = im.is_object() ? im.find("width") : nullptr;
    const Json* h = im.is_object() ? im.find("height") : nullptr;
    const zip::Entry* e = file && file->is_string() ? z->find(file->as_string()) : nullptr;
    if (e && f.label >= 0 && whole(w, 1, rules::kStoredCap) && whole(h, 1, rules::kStoredCap)) {
      f.width = int(w->as_number());
      f.height = int(h->as_number());
      // the declared size is checked before anything is inflated: a padded PNG costs nothing
      try {
        const Slice s = keep(p, *z, *e, png_max_bytes(f.width, f.height));
        if (check_png(bytes_of(p, data, s), s.size, f.width, f.height).empty()) {
          f.png = s;
          f.readable = true;
        } else if (!s.in_file) {
          p.unpacked.resize(s.offset);  // not kept
        }
      } catch (const zip::ZipError&) {
      }
    }
    if (!f.readable) ++p.unreadable_images;
    p.images.push_back(f);
  }
  if (bad_split) notes.push_back("an image had an unreadable split and was put in the test set (never trained on)");
  if (p.unreadable_images) notes.push_back(skipped_images_note(p.unreadable_images));
  return p;
}

std::vector<size_t> training_order(const std::vector<FileImage>& images, size_t classes) {
  std::vector<size_t> out;
  for (size_t label = 0; label < classes; ++label)
    for (size_t i = 0; i < images.size(); ++i)
      if (images[i].readable && !images[i].test && images[i].label == int(label)) out.push_back(i);
  return out;
}

// ---- writing ----
std::vector<uint8_t> write(const ProjectIn& p) {
  if (int(p.classes.size()) < rules::kMinClasses || int(p.classes.size()) > rules::kMaxClasses)
    fail("A project file needs " + std::to_string(rules::kMinClasses) + " to " + std::to_string(rules::kMaxClasses) + " classes.");
  if (int64_t(p.images.size()) > rules::kMaxImagesPerProject)
    fail("A project holds at most " + std::to_string(rules::kMaxImagesPerProject) + " images; this one has " + std::to_string(p.images.size()) + ".");
  zip::Writer z;
  std::vector<int> counts(p.classes.size(), 0);
  Json list = Json::array();
  std::vector<std::pair<std::string, const ImageIn*>> files;
  for (const ImageIn& im : p.images) {
    if (im.label < 0 || im.label >= int(p.classes.size())) fail("An image's class is not one of the project's classes.");
    if (const std::string why = check_png(im.png, im.size, im.width, im.height); !why.empty())  // its size bound included
      fail("An image of the project is not a PNG of its size (" + why + ").");
    std::string num = std::to_string(++counts[size_t(im.label)]);
    std::string file = "images/" + std::to_string(im.label) + "/" + std::string(6 - std::min<size_t>(6, num.size()), '0') + num + ".png";
    Json e = Json::object({{"file", file}, {"class", im.label}, {"width", im.width}, {"height", im.height}});
    if (im.test) e.append("split", "test");  // a training image's entry is as before test sets existed
    list.push_back(std::move(e));
    files.emplace_back(std::move(file), &im);
  }
  Json man = Json::object({{"format", kFormat},
                           {"version", rules::kProjectFormatVersion},
                           {"name", p.name},
                           {"created", p.created},
                           {"classes", json_strings(p.classes)},
                           {"image_count", int64_t(p.images.size())}});
  man.append("images", std::move(list));  // moved, not copied: it has an entry per image
  z.add(kManifest, man.dump());
  const std::pair<const char*, const std::string*> texts[] = {{"spec.json", &p.spec},   {"settings.json", &p.settings},
                                                              {"result.json", &p.result}, {"draft.json", &p.draft},
                                                              {"runs.json", &p.runs}};
  for (const auto& [entry, t] : texts)
    if (!t->empty()) z.add(entry, *t);
  if (p.weights_size) z.add("weights.safetensors", std::vector<uint8_t>(p.weights, p.weights + p.weights_size));
  if (!p.assignment.empty()) z.add("assignment.json", p.assignment);
  if (!p.answers.empty() && p.answers != "{}") z.add("answers.json", p.answers);
  if (!p.submission.empty()) z.add("submission.json", p.submission);
  for (const auto& [file, im] : files) z.add(file, std::vector<uint8_t>(im->png, im->png + im->size));
  std::vector<uint8_t> out = z.finish();
  if (int64_t(out.size()) > rules::kMaxProjectFileBytes)
    fail("The project is " + zip::mb(int64_t(out.size())) + " as a file; a project file is at most " + zip::mb(rules::kMaxProjectFileBytes) +
         ": delete some images, or save the weights alone.");
  return out;
}

// ---- JSON for the page ----
namespace {
Json slice_json(const Slice& s) {
  return Json::object({{"offset", int64_t(s.offset)}, {"size", int64_t(s.size)}, {"in_file", s.in_file}});
}
}  // namespace

std::string read_json(const ProjectFile& p) {
  Json j = Json::object({{"ok", true}, {"name", p.name}, {"created", p.created}, {"classes", json_strings(p.classes)}});
  Json images = Json::array();
  for (const FileImage& im : p.images) {
    Json e = Json::object({{"class", im.label}, {"split", im.test ? "test" : "train"}});
    if (im.readable) {
      e.append("width", im.width);
      e.append("height", im.height);
      e.append("png", slice_json(im.png));
    } else {
      e.append("unreadable", true);
    }
    images.push_back(std::move(e));
  }
  j.append("images", std::move(images));
  const std::pair<const char*, const std::string*> texts[] = {{"spec", &p.spec},         {"settings", &p.settings},
                                                              {"result", &p.result},     {"draft", &p.draft},
                                                              {"runs", &p.runs},         {"assignment", &p.assignment},
                                                              {"answers", &p.answers},   {"submission", &p.submission}};
  for (const auto& [key, t] : texts)
    if (!t->empty()) j.append(key, *t);
  if (p.submission_unreadable) j.append("submission_unreadable", true);
  if (p.weights) j.append("weights", slice_json(*p.weights));
  j.append("notes", json_strings(p.notes));
  return j.dump();
}

std::vector<uint8_t> write_from_json(const std::string& meta, const uint8_t* blob, size_t blob_size, const uint8_t* weights,
                                     size_t weights_size) {
  Json m;
  try {
    m = Json::parse(meta);
  } catch (const JsonError& e) {
    fail(std::string("The project could not be written (its description is not JSON: ") + e.what() + ").");
  }
  ProjectIn p;
  const auto str = [&](const char* key) {
    const Json* v = m.find(key);
    return v && v->is_string() ? v->as_string() : std::string();
  };
  p.name = str("name");
  const Json* created = m.find("created");
  p.created = created && created->is_number() ? created->as_number() : 0;
  if (const Json* c = m.find("classes"); c && c->is_array())
    for (const Json& n : c->items()) p.classes.push_back(n.is_string() ? n.as_string() : "");
  if (const Json* list = m.find("images"); list && list->is_array())
    for (const Json& im : list->items()) {
      const Json *k = im.find("class"), *w = im.find("width"), *h = im.find("height"), *o = im.find("offset"), *n = im.find("size");
      if (!whole(k, 0) || !whole(w, 1, rules::kStoredCap) || !whole(h, 1, rules::kStoredCap) || !whole(o, 0) || !whole(n, 0) ||
          o->as_number() + n->as_number() > double(blob_size))
        fail("The project could not be written: an image's description is broken.");
      const Json* split = im.find("split");
      p.images.push_back({int(k->as_number()), int(w->as_number()), int(h->as_number()), split && split->is_string() && split->as_string() == "test",
                          blob + size_t(o->as_number()), size_t(n->as_number())});
    }
  p.spec = str("spec");
  p.settings = str("settings");
  p.result = str("result");
  p.draft = str("draft");
  p.runs = str("runs");
  p.assignment = str("assignment");
  p.answers = str("answers");
  p.submission = str("submission");
  p.weights = weights;
  p.weights_size = weights_size;
  return write(p);
}

}  // namespace convlab::project_file
