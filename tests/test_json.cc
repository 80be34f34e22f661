// The JSON parser and writer: round-trips, escapes and unicode, errors that say where, and
// the depth limit that keeps hostile headers from overflowing the stack.
#include <catch2/catch.hpp>

#include <limits>
#include <string>

#include "convlab/json.h"

using namespace convlab;
using Catch::Matchers::Contains;

namespace {
std::string error_of(const std::string& text) {
  try {
    Json::parse(text);
  } catch (const JsonError& e) {
    return e.what();
  }
  return "(no error)";
}
}  // namespace

TEST_CASE("json: parse and dump round-trip, key order kept") {
  const std::string text = R"({"b":1,"a":[true,false,null,-2.5,0.25,"x"],"c":{"d":{}},"e":[]})";
  Json j = Json::parse(text);
  REQUIRE(j.is_object());
  CHECK(j.members()[0].first == "b");
  CHECK(j.members()[1].first == "a");
  CHECK(j.find("b")->as_number() == 1);
  const auto& a = j.find("a")->items();
  REQUIRE(a.size() == 6);
  CHECK(a[0].as_bool());
  CHECK_FALSE(a[1].as_bool());
  CHECK(a[2].is_null());
  CHECK(a[3].as_number() == -2.5);
  CHECK(a[4].as_number() == 0.25);
  CHECK(a[5].as_string() == "x");
  CHECK(j.find("missing") == nullptr);
  CHECK(j.dump() == text);
  CHECK(Json::parse(j.dump(2)).dump() == text);  // pretty output parses back the same
  CHECK(Json::parse(" \n\t[ 1 , 2 ]\r\n").dump() == "[1,2]");
  // numbers: integers print as integers, others keep every bit (%.17g)
  Json n = Json::parse("[3, -0.1, 123456789012, 0.30000000000000004]");
  CHECK(n.dump() == "[3,-0.10000000000000001,123456789012,0.30000000000000004]");
  CHECK(Json::parse(n.dump()).items()[1].as_number() == -0.1);
}

TEST_CASE("json: escapes and unicode") {
  Json s = Json::parse(R"("q\" b\\ s\/ \b\f\n\r\t \u0041 \u00e9 \u20ac \ud83d\ude00")");
  CHECK(s.as_string() == "q\" b\\ s/ \b\f\n\r\t A \xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
  // the writer escapes what JSON requires and passes UTF-8 through
  Json w(std::string("a\"b\\c\nd\x01 \xc3\xa9"));
  CHECK(w.dump() == "\"a\\\"b\\\\c\\nd\\u0001 \xc3\xa9\"");
  CHECK(Json::parse(w.dump()).as_string() == w.as_string());
}

TEST_CASE("json: errors say what and where") {
  CHECK_THAT(error_of(""), Contains("character 0: unexpected end of text"));
  CHECK_THAT(error_of("[1, 2"), Contains("character 5: expected ']'"));
  CHECK_THAT(error_of("{\"a\" 1}"), Contains("character 5: expected ':'"));
  CHECK_THAT(error_of("{\"a\": 1,}"), Contains("character 8"));
  CHECK_THAT(error_of("[1] x"), Contains("character 4: unexpected text after the end"));
  CHECK_THAT(error_of("tru"), Contains("unexpected text"));
  CHECK_THAT(error_of("\"abc"), Contains("unterminated string"));
  CHECK_THAT(error_of("\"a\nb\""), Contains("control character in string"));
  CHECK_THAT(error_of(R"("\x")"), Contains("bad escape"));
  CHECK_THAT(error_of(R"("\u12")"), Contains("\\u escape"));
  CHECK_THAT(error_of(R"("\u12zz")"), Contains("bad \\u escape"));
  CHECK_THAT(error_of(R"("\ud800\u0041")"), Contains("bad surrogate pair"));
  CHECK_THAT(error_of("1.2.3"), Contains("bad number '1.2.3'"));
  CHECK_THAT(error_of("-"), Contains("expected a value"));
  CHECK_THAT(error_of("[1e999]"), Contains("number '1e999' is out of range"));
  CHECK_THAT(error_of("{\"a\": 1, \"a\": 2}"), Contains("duplicate key \"a\""));
  CHECK_THAT(error_of("{1: 2}"), Contains("expected '\"'"));
}

TEST_CASE("json: depth limit 64") {
  std::string ok = std::string(63, '[') + std::string(63, ']');
  CHECK(Json::parse(ok).is_array());
  std::string deep = std::string(65, '[') + std::string(65, ']');
  CHECK_THAT(error_of(deep), Contains("nested too deeply"));
  // far deeper than any stack could take: still only an error
  std::string hostile(1 << 20, '[');
  CHECK_THAT(error_of(hostile), Contains("nested too deeply"));
  std::string objects;
  for (int i = 0; i < 100000; ++i) objects += "{\"a\":";
  CHECK_THAT(error_of(objects), Contains("nested too deeply"));
}

TEST_CASE("json: an object with many keys keeps them all and still catches a duplicate") {
  // 20k members (the duplicate check is a hash set, so hostile headers with many keys stay cheap)
  std::string text = "{";
  for (int i = 0; i < 20000; ++i) text += (i ? ",\"k" : "\"k") + std::to_string(i) + "\":0";
  Json j = Json::parse(text + "}");
  CHECK(j.size() == 20000);
  CHECK(j.members()[19999].first == "k19999");
  CHECK_THAT(error_of(text + ",\"k123\":1}"), Contains("duplicate key \"k123\""));
}

TEST_CASE("json: building values") {
  Json o = Json::object();
  o["x"] = 1;
  o["y"] = Json::array();
  o["x"] = "again";  // same key: replaced, not duplicated
  CHECK(o.dump() == R"({"x":"again","y":[]})");
  CHECK(o.size() == 2);
  CHECK(Json(int64_t(1) << 40).dump() == "1099511627776");
  CHECK(Json(std::numeric_limits<double>::infinity()).dump() == "null");  // JSON has no infinity
  CHECK(std::string(Json::type_name(Json::Type::Array)) == "a list");
}

TEST_CASE("json: object and array built in one expression keep the order written") {
  const Json o = Json::object({{"key", "stride"}, {"min", 1}, {"max", int64_t{1} << 40}, {"step", 0.5}, {"same", true},
                               {"none", nullptr}, {"list", Json::array({1, 3, "x"})}, {"empty", Json::object({})}});
  CHECK(o.dump() == R"({"key":"stride","min":1,"max":1099511627776,"step":0.5,"same":true,"none":null,"list":[1,3,"x"],"empty":{}})");
  // the same bytes as member by member
  Json by_hand = Json::object();
  by_hand["b"] = 2;
  by_hand["a"] = Json::array();
  CHECK(Json::object({{"b", 2}, {"a", Json::array({})}}).dump() == by_hand.dump());
  CHECK(Json::array({}).dump() == "[]");
}

TEST_CASE("json: vectors of numbers and of strings as arrays") {
  CHECK(json_numbers(std::vector<int>{3, 0, -2}).dump() == "[3,0,-2]");
  CHECK(json_numbers(std::vector<int64_t>{int64_t{1} << 40}).dump() == "[1099511627776]");
  CHECK(json_numbers(std::vector<float>{0.5f}).dump() == "[0.5]");
  CHECK(json_strings({"cat", "a \"cup\"", "\xC3\xA9"}).dump() == R"(["cat","a \"cup\"","é"])");
  CHECK(json_strings({}).dump() == "[]");
  // the same bytes as pushed one by one
  Json by_hand = Json::array();
  for (const char* s : {"x", "y"}) by_hand.push_back(s);
  CHECK(json_strings({"x", "y"}).dump(2) == by_hand.dump(2));
}
