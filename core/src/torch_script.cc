#include "convlab/torch_script.h"

#include <cstdio>

#include "convlab/preprocess.h"

namespace convlab {

namespace {

// The script, with @TOKENS@ filled in below. Every step of preprocess() mirrors
// core/src/preprocess.cc operation for operation: float64 where it uses double, float32
// tensors where it uses float, the same summation order, so the bytes agree exactly.
const char* kScript = R"PY(#!/usr/bin/env python3
"""@NAME@: a ConvLab model in PyTorch.

    python3 @NAME@.py photo.jpg [more images ...]   [--weights FILE] [--json]
    python3 @NAME@.py --onnx @NAME@.onnx photo.jpg    (the same with ONNX Runtime: pip install onnxruntime)

Rebuilds the model as an nn.Sequential, loads @WEIGHTS@ (beside this script) with
strict=True, prepares each image exactly as ConvLab's engine does and prints its class
probabilities. Needs only python3, torch and PIL (Debian: apt install python3-torch python3-pil).
Written by ConvLab; the preprocessing is also described in the weights file's metadata
("convlab_preprocessing").
"""
import argparse, json, math, os, struct, sys, warnings


def missing(module, e, how):
    """A missing module is named with what to install, not a traceback; exit status 2."""
    print(f"{os.path.basename(sys.argv[0])}: {e}: this needs {module}. {how}", file=sys.stderr)
    sys.exit(2)


try:
    import torch
    import torch.nn as nn
except ImportError as e:
    missing("torch", e, "Debian: apt install python3-torch; elsewhere: pip install torch")
try:
    from PIL import Image, ImageOps
except ImportError as e:
    missing("PIL", e, "Debian: apt install python3-pil; elsewhere: pip install pillow")

# torch warns that an even kernel with padding="same" copies the input: expected, and harmless
warnings.filterwarnings("ignore", message="Using padding='same' with even kernel")

SPEC = json.loads(@SPEC@)
CLASSES = json.loads(@CLASSES@)
WEIGHTS = @WEIGHTS_LITERAL@
LUMA = (@LUMA_R@, @LUMA_G@, @LUMA_B@)  # float32 values of 0.299, 0.587, 0.114


def build(spec):
    """Layer i of the spec is module i, so state_dict names are "0.weight", ..."""
    c, h, w = spec["input"]["channels"], spec["input"]["height"], spec["input"]["width"]
    flat, mods = None, []
    for l in spec["layers"]:
        t = l["type"]
        if t == "conv2d":
            k, s, p = l["kernel"], l.get("stride", 1), l.get("padding", 0)
            # "same": PyTorch pads (k-1)//2 before and the rest after, as ConvLab does
            mods.append(nn.Conv2d(c, l["out_channels"], k, stride=s, padding=p))
            c = l["out_channels"]
            if p != "same":
                h, w = (h + 2 * p - k) // s + 1, (w + 2 * p - k) // s + 1
        elif t == "relu":
            mods.append(nn.ReLU())
        elif t in ("maxpool2d", "avgpool2d"):
            k = l["kernel"]
            s, p = l.get("stride", k), l.get("padding", 0)
            mods.append(nn.MaxPool2d(k, s, p) if t == "maxpool2d" else nn.AvgPool2d(k, s, p, count_include_pad=True))
            h, w = (h + 2 * p - k) // s + 1, (w + 2 * p - k) // s + 1
        elif t == "flatten":
            mods.append(nn.Flatten())
            flat = flat if flat is not None else c * h * w
        elif t == "linear":
            mods.append(nn.Linear(flat, l["out_features"]))
            flat = l["out_features"]
    return nn.Sequential(*mods)


def read_safetensors(path):
    """{name: float32 tensor} of a safetensors file (8-byte header length, JSON, raw data)."""
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    header.pop("__metadata__", None)
    out = {}
    for name, e in header.items():
        if e["dtype"] != "F32":
            sys.exit(f"{path}: tensor {name} is {e['dtype']}, not F32")
        b, end = e["data_offsets"]
        raw = bytearray(data[8 + n + b:8 + n + end])
        out[name] = torch.frombuffer(raw, dtype=torch.float32).reshape(e["shape"]).clone()
    return out


def f32(x):
    return struct.unpack("f", struct.pack("f", x))[0]


def taps(start, length, src, n):
    """Area-average weights: output o covers source [start + o*len/n, start + (o+1)*len/n)."""
    scale = length / n
    idx, wts = [], []
    for o in range(n):
        a = start + o * scale
        b = a + scale
        i0, i1 = max(math.floor(a), 0), min(math.ceil(b), src)
        cover = [max(min(b, i + 1.0) - max(a, float(i)), 0.0) for i in range(i0, i1)]
        total = 0.0
        for v in cover:
            total += v
        idx.append(list(range(i0, i1)))
        wts.append([f32(f32(v) / total) for v in cover])
    m = max(len(i) for i in idx)
    # padded with weight 0 at index 0: x + 0*y == x, so the sums are unchanged
    I = torch.zeros(n, m, dtype=torch.long)
    W = torch.zeros(n, m, dtype=torch.float32)
    for o in range(n):
        I[o, :len(idx[o])] = torch.tensor(idx[o], dtype=torch.long)
        W[o, :len(wts[o])] = torch.tensor(wts[o], dtype=torch.float32)
    return I, W


def preprocess(path):
    """The image as the model's input (1, C, H, W): ConvLab's centre crop, area-average
    resize, grayscale for 1 channel, rounding to bytes, /255."""
    C, H, W = SPEC["input"]["channels"], SPEC["input"]["height"], SPEC["input"]["width"]
    img = ImageOps.exif_transpose(Image.open(path)).convert("RGB")
    sw, sh = img.size
    rgb = torch.frombuffer(bytearray(img.tobytes()), dtype=torch.uint8).reshape(sh, sw, 3).to(torch.float32)
    cw, ch = float(sw), float(sh)
    if float(sw) * H > float(sh) * W:
        cw = float(sh) * W / H
    else:
        ch = float(sw) * H / W
    iy, wy = taps((sh - ch) / 2, ch, sh, H)
    ix, wx = taps((sw - cw) / 2, cw, sw, W)
    line = torch.zeros(H, sw, 3)
    for k in range(iy.shape[1]):  # rows first, in order, each product and sum in float32
        line = line + wy[:, k, None, None] * rgb[iy[:, k]]
    px = torch.zeros(H, W, 3)
    for k in range(ix.shape[1]):
        px = px + wx[None, :, k, None] * line[:, ix[:, k]]
    if C == 1:
        r, g, b = (torch.tensor(v, dtype=torch.float32) for v in LUMA)
        px = (r * px[..., 0] + g * px[..., 1] + b * px[..., 2])[..., None]
    byte = torch.round(px).clamp(0, 255)  # round half to even, as C's nearbyint
    return (byte / torch.tensor(255.0, dtype=torch.float32)).permute(2, 0, 1).unsqueeze(0).contiguous()


def main():
    ap = argparse.ArgumentParser(description="Class probabilities of images under the ConvLab model @NAME@.")
    ap.add_argument("images", nargs="+")
    ap.add_argument("--weights", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), WEIGHTS))
    ap.add_argument("--json", action="store_true", help="print JSON with full-precision probabilities")
    ap.add_argument("--onnx", metavar="FILE", help="run this ONNX file with onnxruntime instead of torch")
    args = ap.parse_args()
    if args.onnx:
        try:
            import onnxruntime  # not needed otherwise
        except ImportError as e:
            missing("onnxruntime for --onnx", e, "Install it with: pip install onnxruntime (Debian has no onnxruntime "
                    "package: in a venv made with python3 -m venv --system-site-packages, Debian's torch and PIL stay "
                    "usable). Without --onnx the script runs on torch alone.")
        session = onnxruntime.InferenceSession(args.onnx)
        run = lambda x: torch.from_numpy(session.run(["probabilities"], {"input": x.numpy()})[0])
    else:
        net = build(SPEC)
        net.load_state_dict(read_safetensors(args.weights), strict=True)
        net.eval()
        run = lambda x: torch.softmax(net(x), dim=1)
    results = []
    with torch.no_grad():
        for path in args.images:
            probs = run(preprocess(path))[0].tolist()
            results.append({"path": path, "probabilities": probs})
    if args.json:
        print(json.dumps(results))
        return
    for r in results:
        best = max(range(len(CLASSES)), key=lambda i: r["probabilities"][i])
        print(f"{r['path']}: {CLASSES[best]} ({100 * r['probabilities'][best]:.1f} %)")
        for name, p in zip(CLASSES, r["probabilities"]):
            print(f"  {name:20s} {p:.6f}")


if __name__ == "__main__":
    main()
)PY";

void replace_all(std::string& s, const std::string& token, const std::string& value) {
  for (size_t at = s.find(token); at != std::string::npos; at = s.find(token, at + value.size()))
    s.replace(at, token.size(), value);
}

// A JSON string literal is a valid Python string literal (same escapes), so JSON text is
// embedded as json.loads("...") without a second quoting scheme.
std::string py_literal(const std::string& text) { return Json(text).dump(); }

// The shortest decimal that reads back as the same float32 (9 significant digits always do).
std::string float_text(float v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.9g", double(v));
  return buf;
}

}  // namespace

std::string torch_script(const ModelSpec& spec, const std::vector<std::string>& class_names,
                         const std::string& weights_file) {
  const ModelInfo info = validate(spec, /*enforce_budget=*/false);
  Json classes = Json::array();
  for (int i = 0; i < info.output.c; ++i)
    classes.push_back(size_t(i) < class_names.size() ? Json(class_names[size_t(i)]) : Json("class " + std::to_string(i)));
  std::string name = weights_file;
  const std::string ext = ".safetensors";
  if (name.size() > ext.size() && name.compare(name.size() - ext.size(), ext.size(), ext) == 0) name.resize(name.size() - ext.size());
  std::string s = kScript;
  replace_all(s, "@SPEC@", py_literal(spec_to_json(spec).dump()));
  replace_all(s, "@CLASSES@", py_literal(classes.dump()));
  replace_all(s, "@WEIGHTS_LITERAL@", py_literal(weights_file));
  replace_all(s, "@LUMA_R@", float_text(kLumaR));
  replace_all(s, "@LUMA_G@", float_text(kLumaG));
  replace_all(s, "@LUMA_B@", float_text(kLumaB));
  // in the docstring only (the file name is the student's project name: keep it printable)
  std::string shown;
  for (char c : name) shown += (c == '"' || c == '\\' || c == '\n') ? '_' : c;
  replace_all(s, "@WEIGHTS@", shown + ext);
  replace_all(s, "@NAME@", shown);
  return s;
}

}  // namespace convlab
