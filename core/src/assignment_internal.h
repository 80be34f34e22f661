// What the assignment files share (core/src/assignment*.cc, submission.cc): the formats' names
// and the readers' helpers, each throwing AssignmentError that names the field. Not public API.
#pragma once
#include <cstdint>
#include <initializer_list>
#include <string>

#include "convlab/assignment.h"

namespace convlab::assignment_detail {

inline constexpr const char* kAssignmentFormat = "convlab-assignment";
inline constexpr const char* kSubmissionFormat = "convlab-submission";

// Characters, not bytes: UTF-8 continuation bytes do not start one.
size_t chars(const std::string& s);
// 25154 -> "25,154": as the page's table writes counts.
std::string grouped(int64_t v);
// Refuses keys the reader does not know (`where`: the object's field, "" for the file).
void known_keys(const Json& o, std::initializer_list<const char*> keys, const std::string& where);
// o[key] as text of at most `max` characters; def_storage when absent and not required.
const std::string& get_text(const Json& o, const char* key, const std::string& where, size_t max, bool required,
                            const std::string& def_storage);
// v as a whole number in [lo, hi].
int get_whole(const Json& v, const std::string& field, int64_t lo, int64_t hi);
// text as JSON, refused unread past max_bytes; `what`: "assignment" or "submission".
Json parse_text(const std::string& text, int64_t max_bytes, const char* what);
// j's "format" and "version" (at most `version`, which this engine writes).
void check_format(const Json& j, const char* format, int version, const char* what);
// Training settings as the Trainer would take them, or std::invalid_argument naming the one out
// of range.
TrainConfig checked_train_config(const std::string& json);

}  // namespace convlab::assignment_detail
