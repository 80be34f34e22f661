#!/bin/bash
# The convlab commands on the fixtures of tests/fixtures/cli/: each command's output and exit
# code, --help, and the messages for bad input. Run by ctest: cli_test.sh CONVLAB FIXTURES_DIR.
set -u
CLI=$1
FIX=$2
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
failed=0

# expect CODE PATTERN CMD...: runs CMD, checks its exit code and that stdout+stderr match PATTERN
expect() {
  local code=$1 pattern=$2
  shift 2
  local out
  out=$("$@" 2>&1)
  local rc=$?
  if [ "$rc" != "$code" ] || ! grep -qE -- "$pattern" <<<"$out"; then
    echo "FAIL: $* -> exit $rc (want $code), output:"
    echo "$out" | head -20
    echo "  (wanted /$pattern/)"
    failed=$((failed + 1))
  else
    echo "ok: $*"
  fi
}

expect 0 'Commands:' "$CLI" --help
expect 0 'Exit codes:' "$CLI" help
expect 2 'Usage: convlab COMMAND' "$CLI"
expect 2 'no command "frobnicate"' "$CLI" frobnicate
for c in check train export predict grade; do
  expect 0 "^Usage: convlab $c " "$CLI" help $c
  expect 0 "^Usage: convlab $c " "$CLI" $c --help
done
expect 2 'no command "nope"' "$CLI" help nope

# check
expect 0 '^4  linear 2 +2 ' "$CLI" check "$FIX/tiny.spec.json"
expect 0 '626 parameters, 28,160 multiply-adds per image; output 2 class scores\.' "$CLI" check "$FIX/tiny.spec.json"
expect 0 '^0  conv2d 4 3×3 s1 p1  4×16×16  \(16 \+ 2·1 − 3\)/1 \+ 1 = 16  112 = 4·\(3·3·3\)\+4  27,648  3×3  j = 1$' "$CLI" check "$FIX/tiny.spec.json"
expect 0 '^\{"input":\[3,16,16\],"layers":\[' "$CLI" check --json "$FIX/tiny.spec.json"
expect 1 'Layer 0: .*the 7×7 kernel is larger than its padded input.*use a kernel of at most 4' "$CLI" check "$FIX/bad.spec.json"
expect 1 '"ok":false,"error_layer":0,"error_field":"kernel"' "$CLI" check --json "$FIX/bad.spec.json"
expect 1 'Layer 4: .*has out_features 2 but the project has 3 classes: set out_features to 3' "$CLI" check --classes 3 "$FIX/tiny.spec.json"
expect 1 'missing.json: cannot read it .*check the path' "$CLI" check "$FIX/missing.json"
expect 1 '^Spec: the spec is not valid JSON' "$CLI" check "$FIX/red.png"
expect 2 'give the spec file \(or the .convlab project file\) to check' "$CLI" check
expect 2 'unknown option --bogus' "$CLI" check --bogus "$FIX/tiny.spec.json"
expect 2 '--classes must be a whole number from 2 to 10, not "x"' "$CLI" check --classes x "$FIX/tiny.spec.json"
# a project file: opened as the page opens it (core's reader), or refused saying why
expect 0 '^Tiny: 2 classes \(Red, Blue\), 6 images \(6 readable, 0 in the test set\)$' "$CLI" check "$FIX/tiny.convlab"
expect 0 '^\{"ok":true,"name":"Tiny","classes":\["Red","Blue"\],"images":6,"readable":6,"test":0,"notes":\[\]\}$' "$CLI" check --json "$FIX/tiny.convlab"
expect 0 'note: 1 image could not be read and was skipped' "$CLI" check "$FIX/crc.convlab"
expect 1 '"ok":false,"error":"The project file.s entry ../evil.txt has a name that could leave its folder' "$CLI" check --json "$FIX/slip.convlab"

# train
expect 0 'epoch 2/2  train loss [0-9.]+ acc [0-9.]+%  val loss' "$CLI" train "$FIX/tiny.convlab" --out "$TMP/a.safetensors" --threads 1
expect 0 '6 images, 2 classes, 2 thread' "$CLI" train "$FIX/tiny.convlab" --out "$TMP/b.safetensors" --threads 2
# the same bits on 1 and 2 threads; --seed changes them, --epochs changes the epochs
if ! cmp -s "$TMP/a.safetensors" "$TMP/b.safetensors"; then echo "FAIL: 1 and 2 threads differ"; failed=$((failed + 1)); fi
expect 0 'epoch 3/3 ' "$CLI" train "$FIX/tiny.convlab" --out "$TMP/c.safetensors" --seed 4 --epochs 3
if cmp -s "$TMP/a.safetensors" "$TMP/c.safetensors"; then echo "FAIL: --seed 4 --epochs 3 gave the same file"; failed=$((failed + 1)); fi
expect 1 'truncated.convlab: The project file is damaged or incomplete' "$CLI" train "$FIX/truncated.convlab" --out "$TMP/x"
expect 1 'slip.convlab: .*could leave its folder' "$CLI" train "$FIX/slip.convlab" --out "$TMP/x"
expect 0 'note: 1 image could not be read and was skipped' "$CLI" train "$FIX/crc.convlab" --out "$TMP/x"
expect 1 'red.png: This is not a ConvLab project file' "$CLI" train "$FIX/red.png" --out "$TMP/x"
expect 2 'give --out MODEL.safetensors' "$CLI" train "$FIX/tiny.convlab"
expect 2 '--threads must be a whole number from 1 to 8, not "0"' "$CLI" train "$FIX/tiny.convlab" --out "$TMP/x" --threads 0
expect 1 'nodir/m.safetensors: cannot write it' "$CLI" train "$FIX/tiny.convlab" --out "$TMP/nodir/m.safetensors"

# export
expect 0 "wrote $TMP/m.onnx" "$CLI" export "$TMP/a.safetensors" --onnx "$TMP/m.onnx"
expect 0 "wrote $TMP/m.py \(it loads m.safetensors" "$CLI" export "$TMP/a.safetensors" --torch "$TMP/m.py"
expect 0 'CLASSES = \["Red", "Blue"\]|Red' cat "$TMP/m.py"
expect 0 'probabilities' strings "$TMP/m.onnx"
expect 2 'say what to write: --onnx OUT.onnx, --torch OUT.py' "$CLI" export "$TMP/a.safetensors"
expect 1 'tiny.spec.json: ' "$CLI" export "$FIX/tiny.spec.json" --onnx "$TMP/x.onnx"

# predict
expect 0 "red.png: (Red|Blue) \([0-9.]+%\)   Red 0\.[0-9]{4}, Blue 0\.[0-9]{4}" "$CLI" predict "$TMP/a.safetensors" "$FIX/red.png"
expect 0 'chelsea.jpg: (Red|Blue)' "$CLI" predict "$TMP/a.safetensors" "$FIX/chelsea.jpg"
expect 0 '^\[\{"image":".*red.png","class":"(Red|Blue)","probabilities":\[0\.[0-9]+,0\.[0-9]+\]\}\]$' "$CLI" predict "$TMP/a.safetensors" "$FIX/red.png" --json
expect 1 'tiny.spec.json: neither a PNG nor a JPEG file' "$CLI" predict "$TMP/a.safetensors" "$FIX/red.png" "$FIX/tiny.spec.json"
expect 1 '1 of 2 image\(s\) could not be read' "$CLI" predict "$TMP/a.safetensors" "$FIX/red.png" "$FIX/tiny.spec.json"
expect 2 'give at least one image' "$CLI" predict "$TMP/a.safetensors"

# grade (honest and tampered submissions are made and graded in tests/test_cli.cc; here the
# command line and the messages for input that stops the grading)
cat >"$TMP/lab.assignment.json" <<'JSON'
{"format": "convlab-assignment", "version": 1, "title": "Lab", "classes": ["Red", "Blue"],
 "spec": {"input": {"channels": 3, "height": 16, "width": 16}, "layers": [{"type": "flatten"}, {"type": "linear", "out_features": 2}]}}
JSON
expect 0 '^tiny +- +- +- .*NO +not graded: this project file is not a submission' "$CLI" grade "$TMP/lab.assignment.json" "$FIX/tiny.convlab" --csv "$TMP/g.csv"
expect 0 '^student,assignment_hash_ok,' cat "$TMP/g.csv"
expect 0 '^tiny,,,,,' cat "$TMP/g.csv"
# a file that does not read: the table and the CSV in core's words (the page writes the same),
# what the zip reader found on stderr
expect 0 'red.png +- .*not graded: the file is not a readable submission \(damaged' "$CLI" grade "$TMP/lab.assignment.json" "$FIX/red.png" --csv "$TMP/g.csv"
expect 0 'convlab grade: red.png: This is not a ConvLab project file' "$CLI" grade "$TMP/lab.assignment.json" "$FIX/red.png" --csv "$TMP/g.csv"
expect 0 '^red.png,,,,,.*ask the student for the file again' cat "$TMP/g.csv"
expect 1 'nobody.convlab: cannot read it' "$CLI" grade "$TMP/lab.assignment.json" "$TMP/nobody.convlab" --csv "$TMP/g.csv"
expect 1 'tiny.convlab: this project file holds no assignment' "$CLI" grade "$FIX/tiny.convlab" "$FIX/tiny.convlab" --csv "$TMP/g.csv"
expect 1 'tiny.spec.json: the assignment \(format\): this is not a ConvLab assignment' "$CLI" grade "$FIX/tiny.spec.json" "$FIX/tiny.convlab" --csv "$TMP/g.csv"
expect 1 'nodir: not a folder: give --test a folder' "$CLI" grade "$TMP/lab.assignment.json" "$FIX/tiny.convlab" --test "$TMP/nodir" --csv "$TMP/g.csv"
expect 2 'give --csv OUT.csv' "$CLI" grade "$TMP/lab.assignment.json" "$FIX/tiny.convlab"
expect 2 'give at least one submission file' "$CLI" grade "$TMP/lab.assignment.json" --csv "$TMP/g.csv"
expect 2 'unknown option --bogus' "$CLI" grade "$TMP/lab.assignment.json" "$FIX/tiny.convlab" --bogus --csv "$TMP/g.csv"

echo "cli_test: $failed failed"
[ "$failed" = 0 ]
