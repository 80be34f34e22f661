#!/usr/bin/python3
"""ConvLab <-> PyTorch: build an nn.Sequential from a ConvLab spec, read and write safetensors.

The safetensors reader/writer is plain struct + json (ref: huggingface/safetensors, "Format":
8-byte little-endian header length, JSON header, raw little-endian tensors), so the only
dependency is Debian's python3-torch.

Library use (tools/make_fixtures.py):
    spec = json.loads(meta["convlab_spec"]); net = build_sequential(spec)

Command line: check that torch, loading a file SAVED BY CONVLAB, gives ConvLab's logits:
    /usr/bin/python3 tools/torch_convlab.py check MODEL.safetensors IO.safetensors [--write-torch-logits]
IO holds "input" (n, C, H, W) and "convlab_logits" (n, classes), both written by
tools/convlab_export.cc. With --write-torch-logits, torch's logits are added to IO as
"torch_logits" (what tests/test_pytorch.cc compares ConvLab against).
"""
import json
import math
import os
import struct
import sys
import warnings

# Debian's python3-torch lives in /usr/bin/python3's dist-packages; a pyenv or venv python3
# on PATH cannot import it, so re-run under the system interpreter rather than fail.
try:
    import torch
except ImportError:
    if os.path.realpath(sys.executable) != os.path.realpath("/usr/bin/python3") and os.path.exists("/usr/bin/python3"):
        os.execv("/usr/bin/python3", ["/usr/bin/python3"] + sys.argv)
    sys.exit("torch is missing: install Debian's python3-torch (apt-get install python3-torch)")
import torch.nn as nn

# torch warns that an even kernel with padding="same" copies the input: expected, and harmless
warnings.filterwarnings("ignore", message="Using padding='same' with even kernel")


# ---- safetensors, F32 only (the only dtype ConvLab reads or writes) ----

def read_safetensors(path):
    """Returns ({name: float32 tensor}, metadata dict). Raises ValueError on a malformed file."""
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 8:
        raise ValueError(f"{path}: {len(data)} bytes is too short for a safetensors file")
    (n,) = struct.unpack("<Q", data[:8])
    if 8 + n > len(data):
        raise ValueError(f"{path}: header length {n} runs past the end of the file ({len(data)} bytes)")
    header = json.loads(data[8:8 + n].decode("utf-8"))
    meta = header.pop("__metadata__", {})
    base = 8 + n
    tensors = {}
    for name, e in header.items():
        if e["dtype"] != "F32":
            raise ValueError(f"{path}: tensor {name} has dtype {e['dtype']}; only F32 is supported")
        b, end = e["data_offsets"]
        count = math.prod(e["shape"])
        if end - b != 4 * count or base + end > len(data):
            raise ValueError(f"{path}: tensor {name} offsets {b}..{end} do not match shape {e['shape']}")
        values = struct.unpack(f"<{count}f", data[base + b:base + end])
        tensors[name] = torch.tensor(values, dtype=torch.float32).reshape(e["shape"])
    return tensors, meta


def write_safetensors(path, tensors, metadata=None):
    """tensors: {name: tensor} in the order to write; stored as F32 little-endian."""
    header = {}
    if metadata:
        header["__metadata__"] = {k: str(v) for k, v in metadata.items()}
    blobs, offset = [], 0
    for name, t in tensors.items():
        flat = t.detach().to(torch.float32).reshape(-1).tolist()
        blob = struct.pack(f"<{len(flat)}f", *flat)
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [offset, offset + len(blob)]}
        offset += len(blob)
        blobs.append(blob)
    h = json.dumps(header, separators=(",", ":"))
    h += " " * ((8 - (8 + len(h)) % 8) % 8)  # data 8-byte aligned, as ConvLab writes it
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h.encode("utf-8"))
        for blob in blobs:
            f.write(blob)


# ---- spec -> nn.Sequential (layer i of the spec is module i, so state_dict names agree) ----

def build_sequential(spec):
    """spec: the parsed ConvLab spec JSON (see core/include/convlab/spec.h)."""
    c = spec["input"]["channels"]
    h, w = spec["input"]["height"], spec["input"]["width"]
    flat = None  # feature count once flattened
    modules = []
    for i, l in enumerate(spec["layers"]):
        t = l["type"]
        if t == "conv2d":
            k, s = l["kernel"], l.get("stride", 1)
            p = l.get("padding", 0)
            # padding="same": PyTorch pads (k-1)//2 before and the rest after, as ConvLab does
            modules.append(nn.Conv2d(c, l["out_channels"], k, stride=s, padding=p))
            c = l["out_channels"]
            if p != "same":  # "same" keeps h and w
                h, w = (h + 2 * p - k) // s + 1, (w + 2 * p - k) // s + 1
        elif t == "relu":
            modules.append(nn.ReLU())
        elif t in ("maxpool2d", "avgpool2d"):
            k = l["kernel"]
            s, p = l.get("stride", k), l.get("padding", 0)
            if t == "maxpool2d":
                modules.append(nn.MaxPool2d(k, stride=s, padding=p))
            else:
                modules.append(nn.AvgPool2d(k, stride=s, padding=p, count_include_pad=True))
            h, w = (h + 2 * p - k) // s + 1, (w + 2 * p - k) // s + 1
        elif t == "flatten":
            modules.append(nn.Flatten())
            flat = c * h * w
        elif t == "linear":
            if flat is None:
                raise ValueError(f"layer {i} (linear) needs a flatten before it")
            modules.append(nn.Linear(flat, l["out_features"]))
            flat = l["out_features"]
        else:
            raise ValueError(f"layer {i}: unknown layer type {t!r}")
    return nn.Sequential(*modules)


def load_convlab(path):
    """A ConvLab-saved safetensors file -> (nn.Sequential with its weights, metadata)."""
    tensors, meta = read_safetensors(path)
    if "convlab_spec" not in meta:
        raise ValueError(f"{path}: no \"convlab_spec\" in __metadata__: not a ConvLab file")
    net = build_sequential(json.loads(meta["convlab_spec"]))
    # strict: every state_dict key present with its shape, nothing extra
    net.load_state_dict(tensors, strict=True)
    return net.eval(), meta


def max_rel_err(got, want, floor_frac):
    """Worst |got - want| / max(|want|, floor_frac * max|want|), as tests/test_pytorch.cc measures."""
    got, want = got.double(), want.double()
    return ((got - want).abs() / want.abs().clamp(min=floor_frac * want.abs().max().item())).max().item()


def check(model_path, io_path, write_torch_logits=False, tol=2e-6):
    torch.use_deterministic_algorithms(True)
    net, _ = load_convlab(model_path)
    io, io_meta = read_safetensors(io_path)
    with torch.no_grad():
        logits = net(io["input"])
    want = io["convlab_logits"]
    if logits.shape != want.shape:
        raise SystemExit(f"FAIL: torch logits have shape {tuple(logits.shape)}, ConvLab's {tuple(want.shape)}")
    # a logit that happens to sit near zero would make a float32 rounding difference look
    # like a large relative error: below 1e-3 of the largest logit the test is absolute
    err = max_rel_err(logits, want, 1e-3)
    print(f"torch vs ConvLab logits on {model_path}: worst relative error {err:.3g} (tolerance {tol:g})")
    if write_torch_logits:
        io["torch_logits"] = logits
        write_safetensors(io_path, io, io_meta)
        print(f"wrote torch_logits into {io_path}")
    if not err <= tol:
        raise SystemExit(f"FAIL: torch and ConvLab logits differ by {err:.3g} relative")
    return err


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    if len(args) != 3 or args[0] != "check":
        sys.exit(__doc__)
    check(args[1], args[2], write_torch_logits="--write-torch-logits" in sys.argv)
