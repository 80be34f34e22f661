#!/usr/bin/python3
"""The fixtures of the models-out checks (make export-fixtures; make test only reads them).

    /usr/bin/python3 tools/make_export_fixtures.py [--images] [--build DIR]

--build DIR: the native build whose convlab_export to run (default build/native).

1. (--images only) tests/fixtures/export/NAME-WxH.rgba: raw RGBA of the two e2e photos,
   centre-cropped and box-resized by PIL: the fixture images every check below uses.
2. build/native/convlab_export suite writes every model of tests/onnx/models.json as the page
   downloads it (NAME.onnx, NAME.safetensors, NAME.py) into build/export-fixtures/.
3. onnx_checker.json: Debian's python3-onnx checker (onnx.checker.check_model, full_check)
   on each NAME.onnx, with the file's sha256 (make test's tests/onnx/run.mjs demands the
   verdict be for the file it exports today, and "ok").
4. torch_script.safetensors: each generated NAME.py run under Debian's python3-torch (as a
   student would, `python3 NAME.py --json images...`, on PNGs of the fixture images, which
   PIL writes losslessly from the same bytes), its probabilities; and its preprocessed input
   from the script's own preprocess(). tests/test_export.cc compares both with ConvLab's:
   the input bit for bit, the probabilities within 1e-5. metadata NAME.py_fnv1a64 is the
   script's hash, so a changed generator demands new fixtures. NAME.py_stderr is what the
   run printed on stderr (nothing: no torch warning, e.g. for an even kernel's "same"), and
   NAME.py_no_onnxruntime / NAME.py_no_torch the exit status and stderr of the script when
   onnxruntime (for --onnx) or torch cannot be imported (a stand-in module on PYTHONPATH that
   raises ModuleNotFoundError, as a missing one does), as "STATUS\nSTDERR".

Needs python3-torch, python3-onnx and python3-pil (Debian).
"""
import hashlib
import importlib.util
import json
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIX = os.path.join(ROOT, "tests", "fixtures", "export")
sys.path.insert(0, os.path.join(ROOT, "tools"))
import torch_convlab as tc  # re-runs under /usr/bin/python3 when torch is not importable
import onnx
import torch
from PIL import Image

PHOTOS = [("e2e/fixtures/chelsea.png", 157, 101), ("e2e/fixtures/coffee.png", 120, 160)]


def make_images():
    for src, w, h in PHOTOS:
        im = Image.open(os.path.join(ROOT, src)).convert("RGBA")
        sw, sh = im.size
        s = min(sw / w, sh / h)
        box = ((sw - w * s) / 2, (sh - h * s) / 2, (sw + w * s) / 2, (sh + h * s) / 2)
        name = os.path.splitext(os.path.basename(src))[0]
        with open(os.path.join(FIX, f"{name}-{w}x{h}.rgba"), "wb") as f:
            f.write(im.resize((w, h), Image.BOX, box=box).tobytes())


def fnv1a64(data):
    h = 14695981039346656037
    for b in data:
        h = ((h ^ b) * 1099511628211) & 0xFFFFFFFFFFFFFFFF
    return h


def main():
    if "--images" in sys.argv:
        make_images()
    build = sys.argv[sys.argv.index("--build") + 1] if "--build" in sys.argv else os.path.join(ROOT, "build", "native")
    tool = os.path.join(os.path.abspath(build), "convlab_export")
    if not os.path.exists(tool) and "--build" not in sys.argv:
        subprocess.run(["make", "-C", ROOT, "native"], check=True)
    out = os.path.join(ROOT, "build", "export-fixtures")
    os.makedirs(out, exist_ok=True)
    models_json = os.path.join(ROOT, "tests", "onnx", "models.json")
    subprocess.run([tool, "suite", models_json, FIX, out], check=True)
    doc = json.load(open(models_json))

    verdicts = {"about": "onnx.checker.check_model(full_check=True) of python3-onnx " + onnx.__version__ +
                " on each exported file; written by tools/make_export_fixtures.py", "files": {}}
    for m in doc["models"]:
        path = os.path.join(out, m["name"] + ".onnx")
        with open(path, "rb") as f:
            sha = hashlib.sha256(f.read()).hexdigest()
        try:
            onnx.checker.check_model(path, full_check=True)
            verdict = "ok"
        except Exception as e:  # the checker's own message is the verdict
            verdict = f"{type(e).__name__}: {e}"
        model = onnx.load(path)
        verdicts["files"][m["name"]] = {"sha256": sha, "checker": verdict, "ir_version": model.ir_version,
                                        "opset": model.opset_import[0].version}
        print(f"{m['name']}.onnx: {verdict}")
    with open(os.path.join(FIX, "onnx_checker.json"), "w") as f:
        json.dump(verdicts, f, indent=1, sort_keys=True)
        f.write("\n")

    tensors, meta = {}, {"written_by": "tools/make_export_fixtures.py", "torch": torch.__version__}
    with tempfile.TemporaryDirectory() as tmp:
        # stand-ins for a missing module: importing one raises what a missing module raises
        shims = {}
        for mod in ("onnxruntime", "torch"):
            d = os.path.join(tmp, "no_" + mod)
            os.makedirs(d)
            with open(os.path.join(d, mod + ".py"), "w") as f:
                f.write(f"raise ModuleNotFoundError(\"No module named '{mod}'\", name={mod!r})\n")
            shims[mod] = d
        pngs = []
        for name in doc["images"]:
            stem, size = os.path.splitext(name)[0].rsplit("-", 1)
            w, h = map(int, size.split("x"))
            png = os.path.join(tmp, stem + ".png")
            Image.frombytes("RGBA", (w, h), open(os.path.join(FIX, name), "rb").read()).save(png)
            pngs.append(png)
        for m in doc["models"]:
            if m.get("torch", True) is False:
                continue
            script = os.path.join(out, m["name"] + ".py")
            images = pngs[: m.get("batch", len(pngs))]
            run = subprocess.run(["/usr/bin/python3", script, "--json", *images], check=True, capture_output=True, text=True)
            meta[m["name"] + ".py_stderr"] = run.stderr
            onnx_file = os.path.join(out, m["name"] + ".onnx")
            for mod in ("onnxruntime", "torch"):
                env = dict(os.environ, PYTHONPATH=shims[mod])
                r = subprocess.run(["/usr/bin/python3", script, "--onnx", onnx_file, images[0]], env=env,
                                   capture_output=True, text=True)
                meta[m["name"] + ".py_no_" + mod] = f"{r.returncode}\n{r.stderr}"
            probs = [r["probabilities"] for r in json.loads(run.stdout)]
            spec = importlib.util.spec_from_file_location("convlab_script_" + m["name"], script)
            mod = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(mod)
            tensors[m["name"] + ".input"] = torch.cat([mod.preprocess(p) for p in images])
            tensors[m["name"] + ".probabilities"] = torch.tensor(probs, dtype=torch.float32)
            meta[m["name"] + ".py_fnv1a64"] = str(fnv1a64(open(script, "rb").read()))
            print(f"{m['name']}.py: {probs}")
    tc.write_safetensors(os.path.join(FIX, "torch_script.safetensors"), tensors, meta)
    print("wrote", os.path.join(FIX, "onnx_checker.json"), "and torch_script.safetensors")


if __name__ == "__main__":
    main()
