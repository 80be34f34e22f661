// convlab: ConvLab on the command line. The page's engine (core/, the same C++ the browser runs
// as WebAssembly) with file reading added here: check a spec, train a project file bit for bit
// as the page does, export a model, predict images. One file per command (check.cc, train.cc,
// export.cc, predict.cc, grade.cc) and per job (image.cc, project.cc, model_file.cc, files.cc).
#include <cstdio>
#include <cstring>
#include <exception>
#include <string>
#include <vector>

#include "cli.h"

using namespace convlab::cli;

namespace {

struct Command {
  const char* name;
  int (*run)(Args&);
  const char* summary;
  const char* usage;  // the first line is the synopsis
};

const Command kCommands[] = {
    {"check", cmd_check, "the Model tab's per-layer table for a spec; a project file as the page opens it",
     "convlab check SPEC.json [--classes N] [--json]\n"
     "convlab check PROJECT.convlab [--json]\n"
     "  A project file: its classes, images and the notes the page shows when it opens it (what was\n"
     "  repaired or set aside), or why it cannot be opened (exit 1). The page and convlab read it\n"
     "  with the same reader (core), so the verdict is the page's.\n"
     "  Prints the per-layer table the Model tab shows (output shape, the size formula, parameters,\n"
     "  multiply-adds, receptive field and jump) and the totals; an invalid spec prints the engine's\n"
     "  error, which names the layer and the fix, and exits 1.\n"
     "  --classes N  also apply the class rule: the last layer is linear with N outputs\n"
     "  --json       print the engine's report as JSON (the worker's checkSpec) instead\n"},
    {"train", cmd_train, "train a project file (.convlab) as the page does, bit for bit",
     "convlab train PROJECT.convlab --out MODEL.safetensors [--epochs N] [--seed S] [--threads T]\n"
     "  Trains the project's model on its images with its training settings, prints each epoch's\n"
     "  loss and accuracy, and writes the model file the page's Download model writes. With the\n"
     "  same project and settings the weights equal the page's bit for bit, on any thread count.\n"
     "  --epochs N   train N epochs instead of the project's setting\n"
     "  --seed S     use seed S instead of the project's (another seed gives other weights)\n"
     "  --threads T  threads to train on (default: the machine's cores, at most 8)\n"},
    {"export", cmd_export, "a model file as ONNX or as a PyTorch script",
     "convlab export MODEL.safetensors --onnx OUT.onnx | --torch OUT.py [--spec SPEC.json] [--classes a,b,c]\n"
     "  Writes the page's other model downloads from its .safetensors file: OUT.onnx (input \"input\"\n"
     "  (N,C,H,W), outputs \"probabilities\" and \"logits\", the scores before softmax) and OUT.py, a\n"
     "  PyTorch script that loads OUT.safetensors (keep the model file beside it under that name).\n"
     "  Both options may be given.\n"
     "  --spec SPEC.json  the model of a file without ConvLab's metadata (a state_dict PyTorch saved):\n"
     "                    its weights load into this spec's model by name and shape (layer i is\n"
     "                    nn.Sequential module i), as the page's Load model loads one into a project\n"
     "  --classes a,b,c   the class names, one per output (default: the file's, else class 0, class 1, ...)\n"},
    {"predict", cmd_predict, "classify PNG and JPEG images with a model file",
     "convlab predict MODEL.safetensors IMAGE... [--spec SPEC.json] [--classes a,b,c] [--json]\n"
     "  Prints for each image the top class and every class's probability, as the Predict tab\n"
     "  gives them for the same pixels (class names from the model file). Images are PNG or JPEG;\n"
     "  an unreadable image is named on stderr, the others are still predicted, and the exit\n"
     "  code is 1.\n"
     "  --spec SPEC.json  the model of a file without ConvLab's metadata (a state_dict PyTorch saved),\n"
     "                    as for export\n"
     "  --classes a,b,c   the class names, one per output (default: the file's, else class 0, ...)\n"
     "  --json            print [{image, class, probabilities}] as JSON instead\n"},
    {"grade", cmd_grade, "grade a class's submission files: constraints, answers, accuracy, reproduced",
     "convlab grade ASSIGNMENT SUBMISSION... [--test DIR] --csv OUT.csv\n"
     "  Grades each submission file (NAME-submission.convlab, the page's Hand in) against the\n"
     "  assignment (NAME.assignment.json, or the .convlab it was handed out as), as the page's\n"
     "  grading view does: the constraints, each answer against the student's own model, validation\n"
     "  accuracy, and whether retraining from the recorded seed, settings and image order gives the\n"
     "  handed-in weights bit for bit. Prints a table and writes the CSV the page exports (the same\n"
     "  bytes). A damaged submission, or one for another assignment, is a row saying so.\n"
     "  --test DIR   also measure held-out accuracy on DIR/<class>/*.png|jpg (one sub-folder per\n"
     "               class, named like the class, ignoring case and punctuation)\n"
     "  --csv OUT    where the CSV goes\n"
     "  Exit 1 also when a submission file cannot be opened (its row says so).\n"},
};

const char* kExitCodes =
    "Exit codes:\n"
    "  0  done\n"
    "  1  the input is wrong (a file is missing, damaged or invalid): the message says what, where\n"
    "     and what to do\n"
    "  2  the command line is wrong: the command's usage is printed\n";

const Command* find(const std::string& name) {
  for (const Command& c : kCommands)
    if (name == c.name) return &c;
  return nullptr;
}

void main_help(FILE* to) {
  std::fprintf(to, "convlab: ConvLab's engine on the command line\n\nUsage: convlab COMMAND ARGS...\n\nCommands:\n");
  for (const Command& c : kCommands) std::fprintf(to, "  %-8s %s\n", c.name, c.summary);
  std::fprintf(to, "  %-8s %s\n", "help", "help CMD prints a command's usage (as does convlab CMD --help)");
  std::fprintf(to, "\n%s", kExitCodes);
}

void command_help(const Command& c, FILE* to) { std::fprintf(to, "Usage: %s\n%s", c.usage, kExitCodes); }

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty()) {
    main_help(stderr);
    return kExitUsage;
  }
  const std::string name = args[0];
  if (name == "--help" || name == "-h") {
    main_help(stdout);
    return kExitOk;
  }
  if (name == "help") {
    if (args.size() == 1) {
      main_help(stdout);
      return kExitOk;
    }
    const Command* c = find(args[1]);
    if (!c) {
      std::fprintf(stderr, "convlab help: no command \"%s\"\n\n", args[1].c_str());
      main_help(stderr);
      return kExitUsage;
    }
    command_help(*c, stdout);
    return kExitOk;
  }
  const Command* c = find(name);
  if (!c) {
    std::fprintf(stderr, "convlab: no command \"%s\"\n\n", name.c_str());
    main_help(stderr);
    return kExitUsage;
  }
  for (size_t i = 1; i < args.size(); ++i)
    if (args[i] == "--help" || args[i] == "-h") {
      command_help(*c, stdout);
      return kExitOk;
    }
  Args rest(std::vector<std::string>(args.begin() + 1, args.end()));
  try {
    return c->run(rest);
  } catch (const UsageError& e) {
    std::fprintf(stderr, "convlab %s: %s\n\nUsage: %s", c->name, e.what(), c->usage);
    return kExitUsage;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "convlab %s: %s\n", c->name, e.what());
    return kExitInput;
  }
}
