#!/usr/bin/python3
"""Writes the PyTorch reference fixtures that tests/test_pytorch.cc compares ConvLab against.

    /usr/bin/python3 tools/make_fixtures.py OUTDIR [--convlab-export PATH]   (make fixtures)

1. OUTDIR/torch_reference.safetensors: torch -> ConvLab. For a net with every layer type, a
   batch of 4 images 3x12x12 and labels: the initial parameters ("init.<name>"), the logits,
   the loss, every parameter gradient ("grad.<name>"), and the parameters after 3 steps of
   SGD with momentum ("sgd.<name>") and of Adam ("adam.<name>"), both with weight decay.
   The spec is in __metadata__["convlab_spec"], the optimiser settings in "sgd" and "adam".
2. OUTDIR/torch_export_model.safetensors + torch_export_io.safetensors: ConvLab -> torch.
   tools/convlab_export (a small native CLI, built here if PATH is not given) saves a seeded
   ConvLab model and its logits on a fixed input; tools/torch_convlab.py loads that file into
   an nn.Sequential, checks torch's logits match, and adds them to the io file.

Needs Debian's python3-torch; `make test` only reads the committed files.
"""
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import torch_convlab as tc  # re-runs under /usr/bin/python3 when torch is not importable
import torch
import torch.nn.functional as F

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# Every layer type, each in the form most likely to disagree: an even kernel with
# padding "same" (asymmetric: 1 before, 2 after), a strided conv with integer padding, a
# padded maxpool (padding is -inf), an avgpool whose padding is counted (count_include_pad).
SPEC = {
    "input": {"channels": 3, "height": 12, "width": 12},
    "layers": [
        {"type": "conv2d", "out_channels": 4, "kernel": 4, "padding": "same"},  # 4x12x12
        {"type": "conv2d", "out_channels": 6, "kernel": 4, "stride": 2, "padding": 1},  # 6x6x6
        {"type": "relu"},
        {"type": "maxpool2d", "kernel": 2, "stride": 2, "padding": 1},  # 6x4x4
        {"type": "avgpool2d", "kernel": 2, "stride": 2, "padding": 1},  # 6x3x3
        {"type": "flatten"},  # 54
        {"type": "linear", "out_features": 10},
        {"type": "relu"},
        {"type": "linear", "out_features": 3},
    ],
}
SGD = {"lr": 0.1, "momentum": 0.9, "weight_decay": 0.01, "steps": 3}
ADAM = {"lr": 0.01, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "weight_decay": 0.01, "steps": 3}
BATCH = 4
EXPORT_SEED = 7


def make_net(seed, dtype=torch.float32):
    torch.manual_seed(seed)
    return tc.build_sequential(SPEC).to(dtype)


def logits_loss_grads(net, x, y):
    net.zero_grad()
    logits = net(x)
    loss = F.cross_entropy(logits, y)  # mean over the batch
    loss.backward()
    return logits.detach(), loss.detach(), {k: p.grad.detach().clone() for k, p in net.named_parameters()}


def train(net, opt, x, y, steps):
    for _ in range(steps):
        opt.zero_grad()
        F.cross_entropy(net(x), y).backward()
        opt.step()
    return {k: p.detach().clone() for k, p in net.named_parameters()}


def max_rel(a, b, floor_frac):
    """Worst |a - b| / max(|b|, floor_frac * max|b|): the measure tests/test_pytorch.cc uses."""
    a, b = a.double(), b.double()
    return ((a - b).abs() / b.abs().clamp(min=floor_frac * b.abs().max().item())).max().item()


def reference(outdir):
    torch.use_deterministic_algorithms(True)
    torch.set_num_threads(1)  # one summation order
    net = make_net(0)
    init = {k: v.detach().clone() for k, v in net.state_dict().items()}
    g = torch.Generator().manual_seed(1)
    x = torch.rand(BATCH, 3, 12, 12, generator=g)  # (n, C, H, W) in [0, 1) like preprocessed images
    y = torch.tensor([0, 1, 2, 1])
    logits, loss, grads = logits_loss_grads(net, x, y)

    def fresh(dtype=torch.float32):
        n = make_net(0, dtype)
        n.load_state_dict({k: v.to(dtype) for k, v in init.items()})
        return n

    sgd_net = fresh()
    sgd = train(sgd_net, torch.optim.SGD(sgd_net.parameters(), lr=SGD["lr"], momentum=SGD["momentum"],
                                         weight_decay=SGD["weight_decay"]), x, y, SGD["steps"])
    adam_net = fresh()
    adam = train(adam_net, torch.optim.Adam(adam_net.parameters(), lr=ADAM["lr"], betas=(ADAM["beta1"], ADAM["beta2"]),
                                            eps=ADAM["eps"], weight_decay=ADAM["weight_decay"], foreach=False),
                 x, y, ADAM["steps"])

    # torch's own float32 error against float64 from the same start: the noise floor that any
    # float32 engine shares, printed so the test's tolerances can be judged against it.
    net64 = fresh(torch.float64)
    l64, loss64, g64 = logits_loss_grads(net64, x.double(), y)
    for frac in (0.01, 0.1):
        print(f"torch float32 vs float64, relative with a floor of {frac:g} x max|value|: "
              f"logits {max_rel(logits, l64, frac):.2e}, loss {max_rel(loss, loss64, frac):.2e}, "
              f"gradients {max(max_rel(grads[k], g64[k], frac) for k in grads):.2e}")

    tensors = {"input": x, "labels": y.float(), "logits": logits, "loss": loss.reshape(1)}
    for prefix, d in (("init", init), ("grad", grads), ("sgd", sgd), ("adam", adam)):
        for k, v in d.items():
            tensors[f"{prefix}.{k}"] = v
    meta = {"format": "pt", "convlab_spec": json.dumps(SPEC), "sgd": json.dumps(SGD), "adam": json.dumps(ADAM),
            "torch_version": torch.__version__,
            "written_by": "tools/make_fixtures.py (float32, deterministic CPU ops, one thread)"}
    path = os.path.join(outdir, "torch_reference.safetensors")
    tc.write_safetensors(path, tensors, meta)
    print(f"wrote {path} ({os.path.getsize(path)} bytes, loss {loss.item():.6f})")


def export_tool(given):
    if given:
        return given
    # build the native CLI in the lead's native build folder (the same preset `make native` uses)
    subprocess.run(["cmake", "--preset", "native-release"], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    subprocess.run(["cmake", "--build", "build/native", "--target", "convlab_export", "-j2"], cwd=ROOT, check=True)
    return os.path.join(ROOT, "build", "native", "convlab_export")


def export_check(outdir, tool):
    model = os.path.join(outdir, "torch_export_model.safetensors")
    io = os.path.join(outdir, "torch_export_io.safetensors")
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(SPEC, f)
    try:
        subprocess.run([tool, f.name, str(EXPORT_SEED), model, io], check=True)
    finally:
        os.unlink(f.name)
    tc.check(model, io, write_torch_logits=True)


if __name__ == "__main__":
    args = sys.argv[1:]
    tool = None
    if "--convlab-export" in args:
        i = args.index("--convlab-export")
        tool = args[i + 1]
        del args[i:i + 2]
    if len(args) != 1:
        sys.exit(__doc__)
    os.makedirs(args[0], exist_ok=True)
    reference(args[0])
    export_check(args[0], export_tool(tool))
