// The right answers to an assignment's questions, computed from the student's own model.
#include <cmath>

#include "convlab/assignment.h"
#include "convlab/learn.h"
#include "convlab/model.h"
#include "convlab/preprocess.h"
#include "convlab/rules.h"

namespace convlab {

std::vector<Answer> compute_answers(const Assignment& a, const ModelSpec& spec, Model* model,
                                    const std::vector<LabelledImage>& images) {
  std::vector<Answer> out;
  ModelInfo info;
  std::string spec_error;
  try {
    info = validate(spec, false);
  } catch (const SpecError& e) {
    spec_error = std::string("the model spec: ") + e.what();
  }
  for (const Question& q : a.questions) {
    Answer r;
    r.id = q.id;
    auto set = [&](double v) {
      r.known = true;
      r.value = v;
    };
    try {
      if (!spec_error.empty()) throw std::invalid_argument(spec_error);
      const int n = int(info.layers.size());
      int layer = q.layer;
      if (q.kind == QuestionKind::ReceptiveField && layer < 0) {
        for (int i = 0; i < n; ++i) {
          const LayerType t = info.layers[size_t(i)].spec.type;
          if (t == LayerType::MaxPool2d || t == LayerType::AvgPool2d) layer = i;
        }
        if (layer < 0) throw std::invalid_argument("the model has no pooling layer, so it has no last pool");
      }
      if (layer >= n)
        throw std::invalid_argument("layer " + std::to_string(layer) + " does not exist: the model has layers 0 to " +
                                    std::to_string(n - 1));
      const LayerInfo* li = layer >= 0 ? &info.layers[size_t(layer)] : nullptr;
      switch (q.kind) {
        case QuestionKind::OutputWidth: set(li->out.w); break;
        case QuestionKind::OutputHeight: set(li->out.h); break;
        case QuestionKind::OutputChannels: set(li->out.c); break;
        case QuestionKind::LayerParameters: set(double(li->params)); break;
        case QuestionKind::LayerMacs: set(double(li->macs)); break;
        case QuestionKind::ReceptiveField:
          if (li->rf_full) throw std::invalid_argument("layer " + std::to_string(layer) + " sees the whole input");
          set(li->rf);
          break;
        case QuestionKind::FcWeightsPerNeuron: set(double(info.input.size())); break;
        case QuestionKind::TotalParameters: set(double(info.params)); break;
        case QuestionKind::PoolUnchangedFraction: {
          r.fraction = true;
          if (li->spec.type != LayerType::MaxPool2d)
            throw std::invalid_argument("layer " + std::to_string(layer) + " is " + layer_type_name(li->spec.type) +
                                        ", not a max pool");
          if (!model) throw std::invalid_argument("this needs the trained model's weights");
          if (q.image >= int(images.size()))
            throw std::invalid_argument("image " + std::to_string(q.image) + " is not among the " +
                                        std::to_string(images.size()) + " training images");
          const LabelledImage& im = images[size_t(q.image)];
          check_rgba(im.bytes, im.w, im.h);
          std::vector<float> x;
          learn::forward_rgba(*model, x, im.rgba, im.w, im.h);
          // pool_invariance compares unpadded windows, as the lecture's view does
          const auto rows = learn::pool_invariance(model->activation(layer - 1, 0), li->in.c, li->in.h, li->in.w,
                                                   li->spec.kernel, li->spec.stride, q.shift);
          const learn::PoolInvariance& p = rows.back();
          if (p.cells == 0) throw std::invalid_argument("no pooled output of this image is away from the border and non-zero");
          set(double(p.max_unchanged) / double(p.cells));
          break;
        }
      }
    } catch (const std::exception& e) {
      r.known = false;
      r.message = e.what();
    }
    out.push_back(r);
  }
  return out;
}

bool answer_matches(const Answer& right, double given) {
  if (!right.known || !std::isfinite(given)) return false;
  if (right.fraction) return std::fabs(given - right.value) <= rules::kFractionTolerance;
  return given == right.value;
}

Json to_json(const std::vector<Answer>& answers) {
  Json a = Json::array();
  for (const auto& r : answers)
    a.push_back(Json::object({{"id", r.id},
                              {"known", r.known},
                              {"value", r.known ? Json(r.value) : Json()},
                              {"fraction", r.fraction},
                              {"message", r.message}}));
  return a;
}

}  // namespace convlab
