// convlab check PROJECT.convlab [--json]: the project file as the page opens it (core's reader):
// its classes, images and notes, or why it is refused.
// convlab check SPEC.json [--classes N] [--json]: the Model tab's per-layer table for a spec,
// from the same engine call (check_spec_json, the worker's checkSpec), as an aligned text
// table; an invalid spec prints the engine's error, which names the layer and the fix.
#include <cstdio>
#include <string>
#include <vector>

#include "cli.h"
#include "convlab/json.h"
#include "convlab/rules.h"
#include "convlab/project_file.h"
#include "convlab/session.h"
#include "project.h"

namespace convlab::cli {

namespace {

// 62378344 -> "62,378,344" (the page's fmt)
std::string grouped(double v) {
  std::string d = std::to_string(int64_t(v)), out;
  const bool neg = !d.empty() && d[0] == '-';
  if (neg) d.erase(0, 1);
  for (size_t i = 0; i < d.size(); ++i) {
    if (i && (d.size() - i) % 3 == 0) out += ',';
    out += d[i];
  }
  return neg ? "-" + out : out;
}

// [c, h, w] -> "c×h×w", [n] -> "n" (the page's shapeText)
std::string shape(const Json* s) {
  if (!s || !s->is_array()) return "?";
  if (s->size() == 3)
    return grouped(s->items()[0].as_number()) + "×" + grouped(s->items()[1].as_number()) + "×" + grouped(s->items()[2].as_number());
  return s->size() ? grouped(s->items()[0].as_number()) : "?";
}

// Display width of UTF-8 text: one column per code point (the table's text has no wide ones).
size_t width(const std::string& s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xc0) != 0x80;
  return n;
}

std::string str(const Json& l, const char* key) {
  const Json* v = l.find(key);
  return v && v->is_string() ? v->as_string() : "";
}
double num(const Json& l, const char* key) {
  const Json* v = l.find(key);
  return v && v->is_number() ? v->as_number() : 0;
}

void print_table(const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> w;
  for (const auto& r : rows)
    for (size_t i = 0; i < r.size(); ++i) {
      if (w.size() <= i) w.push_back(0);
      if (r.size() > 1) w[i] = std::max(w[i], width(r[i]));  // a one-cell row (an error) spans the table
    }
  for (const auto& r : rows) {
    std::string line;
    for (size_t i = 0; i < r.size(); ++i) {
      line += r[i];
      if (i + 1 < r.size()) line += std::string(w[i] - width(r[i]) + 2, ' ');
    }
    line.erase(line.find_last_not_of(' ') + 1);
    std::printf("%s\n", line.c_str());
  }
}

bool is_project(const std::string& path) {
  return path.size() > 8 && path.compare(path.size() - 8, 8, ".convlab") == 0;
}

// A project file opened as the page opens it: its verdict (the notes, or why it is refused).
// --json prints {ok, name, classes, images, readable, test, notes} or {ok: false, error}: the
// page-versus-CLI verdict test (e2e/project-verdict.spec.js) compares it with the page's.
int check_project(const std::string& path, bool json) {
  const std::vector<uint8_t> bytes = read_file(path, rules::kMaxProjectFileBytes);
  Project p;
  try {
    p = read_project(bytes.data(), bytes.size(), ImageOrder::File);
  } catch (const std::exception& e) {
    if (json) {
      Json r = Json::object();
      r.append("ok", false);
      r.append("error", e.what());
      std::printf("%s\n", r.dump().c_str());
    } else {
      std::fprintf(stderr, "%s: %s\n", path.c_str(), e.what());
    }
    return kExitInput;
  }
  int readable = 0, test = 0;
  for (const ProjectImage& im : p.images) {
    readable += im.ok;
    test += im.test;
  }
  if (json) {
    Json r = Json::object();
    r.append("ok", true);
    r.append("name", p.name);
    Json classes = Json::array();
    for (const std::string& c : p.classes) classes.push_back(c);
    r.append("classes", std::move(classes));
    r.append("images", int64_t(p.images.size()));
    r.append("readable", readable);
    r.append("test", test);
    Json notes = Json::array();
    for (const std::string& n : p.skipped) notes.push_back(n);
    r.append("notes", std::move(notes));
    std::printf("%s\n", r.dump().c_str());
    return kExitOk;
  }
  std::string names;
  for (const std::string& c : p.classes) names += (names.empty() ? "" : ", ") + c;
  std::printf("%s: %zu classes (%s), %zu images (%d readable, %d in the test set)\n", p.name.c_str(), p.classes.size(), names.c_str(),
              p.images.size(), readable, test);
  for (const std::string& n : p.skipped) std::printf("note: %s\n", n.c_str());
  return kExitOk;
}

}  // namespace

int cmd_check(Args& args) {
  std::string path;
  bool json = false;
  int classes = 0;
  while (!args.empty()) {
    const std::string a = args.next();
    if (a == "--json") json = true;
    else if (a == "--classes") classes = int(args.int_of("--classes", rules::kMinClasses, rules::kMaxClasses));
    else if (a.rfind("--", 0) == 0) throw UsageError("unknown option " + a);
    else if (path.empty()) path = a;
    else throw UsageError("one spec file at a time (got " + path + " and " + a + ")");
  }
  if (path.empty()) throw UsageError("give the spec file (or the .convlab project file) to check");
  if (is_project(path)) return check_project(path, json);
  const std::string text = read_text_file(path, rules::kMaxProjectJsonBytes);
  const std::string report = check_spec_json(text, classes);
  const Json r = Json::parse(report);
  const bool ok = r.find("ok") && r.find("ok")->as_bool();
  if (json) {
    std::printf("%s\n", report.c_str());
    return ok ? kExitOk : kExitInput;
  }
  std::vector<std::vector<std::string>> rows = {{"#", "layer", "output", "w_out = (w_in+2p−k)/s+1", "parameters", "MACs", "RF, jump"}};
  // (a spec refused before its input was read reports the input as 0×0×0: no row then)
  if (const Json* in = r.find("input"); in && in->is_array() && in->size() && in->items()[0].as_number() > 0)
    rows.push_back({"", "input", shape(in), "c_in × height × width", "", "", ""});
  if (const Json* layers = r.find("layers"))
    for (const Json& l : layers->items()) {
      const double p = num(l, "params");
      const std::string rf = l.find("rf_full") && l.find("rf_full")->as_bool()
                                 ? "all"
                                 : grouped(num(l, "rf")) + "×" + grouped(num(l, "rf")) + "  j = " + grouped(num(l, "jump"));
      const std::string size = str(l, "size_formula");
      rows.push_back({grouped(num(l, "index")), str(l, "describe"), shape(l.find("out")), size.empty() ? "—" : size,
                      p ? grouped(p) + " = " + str(l, "params_formula") : "—", num(l, "macs") ? grouped(num(l, "macs")) : "—", rf});
    }
  if (!ok) {
    const int at = int(num(r, "error_layer"));
    const std::string msg = str(r, "error");
    rows.push_back({at >= 0 ? "Layer " + std::to_string(at) + ": " + msg : "Spec: " + msg});
  }
  print_table(rows);
  if (!ok) {
    std::fprintf(stderr, "%s: the spec is not valid: fix what the last line says and check again\n", path.c_str());
    return kExitInput;
  }
  std::printf("%s parameters, %s multiply-adds per image; output %s class scores.\n", grouped(num(r, "params")).c_str(),
              grouped(num(r, "macs")).c_str(), shape(r.find("output")).c_str());
  return kExitOk;
}

}  // namespace convlab::cli
