// A small JSON value, parser and writer: the model spec is hand-written JSON and the
// safetensors header is JSON, and the core must not depend on anything outside the
// standard library. Parse errors throw JsonError with the offset and what was expected.
#pragma once
#include <cstdint>
#include <initializer_list>
#include <map>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace convlab {

struct JsonError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class Json {
 public:
  enum class Type { Null, Bool, Number, String, Array, Object };

  Json() = default;
  Json(std::nullptr_t) {}
  Json(bool b) : type_(Type::Bool), b_(b) {}
  Json(double d) : type_(Type::Number), num_(d) {}
  Json(int i) : type_(Type::Number), num_(i) {}
  Json(int64_t i) : type_(Type::Number), num_(static_cast<double>(i)) {}
  Json(const char* s) : type_(Type::String), str_(s) {}
  Json(std::string s) : type_(Type::String), str_(std::move(s)) {}
  static Json array() { Json j; j.type_ = Type::Array; return j; }
  static Json object() { Json j; j.type_ = Type::Object; return j; }
  // Built in one expression, members in the order written (each key once: they are appended
  // without a look-up): Json::object({{"min", 1}, {"max", 64}}), Json::array({1, 3}).
  static Json array(std::initializer_list<Json> items) { Json j = array(); j.arr_.assign(items); return j; }
  static Json object(std::initializer_list<std::pair<std::string, Json>> members) {
    Json j = object();
    j.obj_.assign(members);
    return j;
  }

  Type type() const { return type_; }
  bool is_null() const { return type_ == Type::Null; }
  bool is_bool() const { return type_ == Type::Bool; }
  bool is_number() const { return type_ == Type::Number; }
  bool is_string() const { return type_ == Type::String; }
  bool is_array() const { return type_ == Type::Array; }
  bool is_object() const { return type_ == Type::Object; }

  bool as_bool() const { return b_; }
  double as_number() const { return num_; }
  const std::string& as_string() const { return str_; }
  const std::vector<Json>& items() const { return arr_; }
  // Object members in insertion order (the spec's key order is kept when re-written).
  const std::vector<std::pair<std::string, Json>>& members() const { return obj_; }

  const Json* find(std::string_view key) const;
  Json& operator[](const std::string& key);  // object: insert or get
  // object: appends a member without looking for the key first (the caller knows it is new).
  void append(std::string key, Json v) { type_ = Type::Object; obj_.emplace_back(std::move(key), std::move(v)); }
  void push_back(Json v) { arr_.push_back(std::move(v)); }
  size_t size() const { return type_ == Type::Array ? arr_.size() : obj_.size(); }

  // indent < 0: compact; otherwise pretty-printed with that many spaces.
  std::string dump(int indent = -1) const;
  static Json parse(std::string_view text);  // throws JsonError

  static const char* type_name(Type t);

 private:
  void dump_to(std::string& out, int indent, int depth) const;
  Type type_ = Type::Null;
  bool b_ = false;
  double num_ = 0;
  std::string str_;
  std::vector<Json> arr_;
  std::vector<std::pair<std::string, Json>> obj_;
};

// A vector of numbers (float, int, ...) as a JSON array: what every view's JSON answer is made of.
template <class T>
Json json_numbers(const std::vector<T>& v) {
  Json a = Json::array();
  for (T x : v) a.push_back(double(x));
  return a;
}

// A vector of strings as a JSON array: class names, layer types, notes.
inline Json json_strings(const std::vector<std::string>& v) {
  Json a = Json::array();
  for (const std::string& s : v) a.push_back(s);
  return a;
}

}  // namespace convlab
