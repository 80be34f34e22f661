#include "project.h"

#include "convlab/project_file.h"

namespace convlab::cli {

Project read_project(const uint8_t* data, size_t size, ImageOrder order) {
  const project_file::ProjectFile f = project_file::read(data, size);
  Project p;
  p.name = f.name;
  p.classes = f.classes;
  p.spec = f.spec;
  p.settings = f.settings;
  p.has_draft = !f.draft.empty();
  p.skipped = f.notes;
  p.assignment = f.assignment;
  p.submission = f.submission;
  p.submission_unreadable = f.submission_unreadable;
  if (f.weights) {
    const uint8_t* w = project_file::bytes_of(f, data, *f.weights);
    p.weights.assign(w, w + f.weights->size);
    p.has_weights = true;
  }
  // core checked each PNG's structure and size; a PNG libpng still cannot decode is set aside
  // as core sets aside a broken one
  int undecodable = 0;
  auto decode = [&](const project_file::FileImage& im, Rgba& out) {
    if (!im.readable) return false;
    try {
      out = decode_png(project_file::bytes_of(f, data, im.png), im.png.size, "image");
      return out.width == im.width && out.height == im.height;
    } catch (const std::exception&) {
      return false;
    }
  };
  if (order == ImageOrder::File) {
    for (const project_file::FileImage& im : f.images) {
      ProjectImage pi{im.label, {}, false, im.test};
      pi.ok = decode(im, pi.image);
      if (im.readable && !pi.ok) ++undecodable;
      p.images.push_back(std::move(pi));
    }
  } else {
    for (size_t i : project_file::training_order(f.images, f.classes.size())) {
      ProjectImage pi{f.images[i].label, {}, true, false};
      if (decode(f.images[i], pi.image)) p.images.push_back(std::move(pi));
      else ++undecodable;
    }
  }
  if (undecodable) p.skipped.push_back(project_file::undecodable_images_note(undecodable));
  return p;
}

}  // namespace convlab::cli
