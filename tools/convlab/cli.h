// What the commands of `convlab` share: the two kinds of failure (and so the exit codes), the
// argument list, and file reading and writing (the only file I/O of ConvLab: core/ has none).
#pragma once
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace convlab::cli {

// Exit codes, documented in `convlab --help`.
inline constexpr int kExitOk = 0;
inline constexpr int kExitInput = 1;  // the input is wrong: the message says what, where, what to do
inline constexpr int kExitUsage = 2;  // the command line is wrong: the command's usage is printed

// The command line is wrong (an unknown option, a missing argument): main prints the message
// and the command's usage, and exits with kExitUsage. Every other exception is a bad input.
struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// A command's arguments after its name, taken one by one.
class Args {
 public:
  Args(std::vector<std::string> args) : args_(std::move(args)) {}
  bool empty() const { return at_ >= args_.size(); }
  const std::string& peek() const { return args_[at_]; }
  std::string next();                       // throws UsageError when there is none
  std::string value_of(const std::string& option);  // the value after --option
  // A whole number within [min, max] after --option (UsageError otherwise).
  int64_t int_of(const std::string& option, int64_t min, int64_t max);

 private:
  std::vector<std::string> args_;
  size_t at_ = 0;
};

// Throws std::runtime_error("PATH: cannot read (...)") / ("... cannot write ..."); a file larger
// than max_bytes is refused before it is read.
std::vector<uint8_t> read_file(const std::string& path, int64_t max_bytes);
std::string read_text_file(const std::string& path, int64_t max_bytes);
void write_file(const std::string& path, const std::vector<uint8_t>& bytes);
void write_text_file(const std::string& path, const std::string& text);

// The commands: each returns its exit code, throws UsageError or another std::exception.
int cmd_check(Args& args);
int cmd_train(Args& args);
int cmd_export(Args& args);
int cmd_predict(Args& args);
int cmd_grade(Args& args);

}  // namespace convlab::cli
