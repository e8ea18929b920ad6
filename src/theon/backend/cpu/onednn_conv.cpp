// Convolutions on oneDNN (backend/cpu/onednn_kernels.hpp): forward,
// backward-data and backward-weights primitives over theon's NCHW arrays, the
// layouts oneDNN prefers chosen once per plan and reached by reorders.
#include "backend/cpu/onednn_kernels.hpp"
#include "backend/cpu/onednn_plan.hpp"
#include "theon/error.hpp"

namespace theon::dnnl {

namespace {

void fill(dims_t d, const std::vector<int64_t>& v, int64_t minus = 0) {
  for (size_t i = 0; i < v.size(); ++i) d[i] = v[i] - minus;
}

// The weights as oneDNN counts them: (groups, O / groups, C / groups, K...) when grouped.
std::vector<int64_t> weight_dims(const ConvSpec& s) {
  if (s.groups == 1) return s.w;
  std::vector<int64_t> d{s.groups, s.w[0] / s.groups};
  d.insert(d.end(), s.w.begin() + 1, s.w.end());
  return d;
}

// A plan on theon's plain layouts (`blocked` false: oneDNN's im2col + GEMM
// kernels, no reorders) or on the layouts oneDNN prefers (its direct
// kernels, with reorders around them).
std::unique_ptr<Plan> make_plan(const Api& a, const ConvSpec& s, bool blocked) {
  auto plan = std::make_unique<Plan>(a, blocked);
  handle x = plan->keep_md(plain_md(a, s.x)), w = plan->keep_md(plain_md(a, weight_dims(s))),
         y = plan->keep_md(plain_md(a, s.y));
  handle xa = blocked ? plan->keep_md(any_md(a, s.x)) : x, wa = blocked ? plan->keep_md(any_md(a, weight_dims(s))) : w,
         ya = blocked ? plan->keep_md(any_md(a, s.y)) : y;
  dims_t stride{}, dil{}, pl{}, pr{};
  fill(stride, s.stride);
  fill(dil, s.dilation, 1);  // oneDNN counts the gaps between taps
  fill(pl, s.pad_l);
  fill(pr, s.pad_r);
  // Forward (also the hint the backward primitives are made from), with its
  // bias and activation as the primitive's own epilogue.
  handle bias = s.bias ? plan->keep_md(plain_md(a, {s.w[0]})) : nullptr;
  handle attr = nullptr;
  if (s.act != ConvActivation::None) {
    static const int algs[] = {0, kEltwiseRelu, kEltwiseTanh, kEltwiseLogistic};
    handle post = nullptr;
    check(a, a.post_ops_create(&post), "post_ops_create");
    const bool ok = a.post_ops_append_eltwise(post, algs[static_cast<int>(s.act)], 0.f, 0.f) == kSuccess &&
                    a.primitive_attr_create(&attr) == kSuccess && a.primitive_attr_set_post_ops(attr, post) == kSuccess;
    a.post_ops_destroy(post);  // the attribute keeps its own copy
    if (!ok) {
      if (attr) a.primitive_attr_destroy(attr);
      return nullptr;  // the fallback applies the epilogue itself
    }
  }
  handle fwd = nullptr;
  const int prop = s.role == ops::ConvRole::Forward ? kForwardInference : kForwardTraining;
  const int st = a.convolution_forward_primitive_desc_create(&fwd, a.engine, prop, kConvolutionDirect, xa, wa, bias, ya,
                                                             stride, dil, pl, pr, attr);
  if (attr) a.primitive_attr_destroy(attr);
  if (st != kSuccess) return nullptr;
  plan->keep_pd(fwd);
  switch (s.role) {
    case ops::ConvRole::Forward:  // slots: x, w, y
      plan->set_primitive(fwd);
      plan->bind(0, x, kArgSrc, fwd, kQuerySrcMd, false);
      plan->bind(1, w, kArgWeights, fwd, kQueryWeightsMd, false);
      plan->bind(2, y, kArgDst, fwd, kQueryDstMd, true);
      if (bias) plan->bind(3, bias, kArgBias, fwd, kQueryWeightsMd, false, 1);
      break;
    case ops::ConvRole::GradInputs: {  // slots: w, gy, gx
      handle pd = nullptr;
      if (a.convolution_backward_data_primitive_desc_create(&pd, a.engine, kConvolutionDirect, xa, wa, ya, stride, dil,
                                                            pl, pr, fwd, nullptr) != kSuccess)
        return nullptr;
      plan->keep_pd(pd);
      plan->set_primitive(pd);
      plan->bind(0, w, kArgWeights, pd, kQueryWeightsMd, false);
      plan->bind(1, y, kArgDiffDst, pd, kQueryDiffDstMd, false);
      plan->bind(2, x, kArgDiffSrc, pd, kQueryDiffSrcMd, true);
      break;
    }
    case ops::ConvRole::GradWeights: {  // slots: x, gy, gw
      handle pd = nullptr;
      if (a.convolution_backward_weights_primitive_desc_create(&pd, a.engine, kConvolutionDirect, xa, wa, nullptr, ya,
                                                               stride, dil, pl, pr, fwd, nullptr) != kSuccess)
        return nullptr;
      plan->keep_pd(pd);
      plan->set_primitive(pd);
      plan->bind(0, x, kArgSrc, pd, kQuerySrcMd, false);
      plan->bind(1, y, kArgDiffDst, pd, kQueryDiffDstMd, false);
      plan->bind(2, w, kArgDiffWeights, pd, kQueryDiffWeightsMd, true);
      break;
    }
  }
  return plan;
}

}  // namespace

bool conv(const ConvSpec& s, const void* in0, const void* in1, const void* bias, void* out, const KernelState* state) {
  const Api* a = api();
  if (!a) return false;
  PlanCache::Key key{static_cast<int64_t>(s.role), s.groups, s.bias, static_cast<int64_t>(s.act)};
  for (const auto* v : {&s.x, &s.w, &s.y, &s.stride, &s.dilation, &s.pad_l, &s.pad_r}) {
    key.push_back(static_cast<int64_t>(v->size()));
    key.insert(key.end(), v->begin(), v->end());
  }
  set_threads(*a);  // primitives split their work for the team size they are made with
  std::vector<void*> ptrs{const_cast<void*>(in0), const_cast<void*>(in1), out};
  if (s.bias) ptrs.push_back(const_cast<void*>(bias));
  bool ran = false;  // the layout was timed on this call's arrays: its output is computed
  // A layout oneDNN cannot plan (a reorder it lacks, ...) is no candidate;
  // with none, theon's own kernel runs.
  const auto try_plan = [&](bool blocked) -> std::unique_ptr<Plan> {
    try {
      return make_plan(*a, s, blocked);
    } catch (const ValueError&) {
      return nullptr;
    }
  };
  // First call: the blocked layouts when oneDNN plans them (else the plain
  // ones); second call (layout Timed): the other candidate too, both timed.
  const auto make = [&]() -> std::unique_ptr<Plan> {
    if (layout() == Layout::Plain) return try_plan(false);
    if (auto p = try_plan(true)) return p;
    return layout() == Layout::Timed ? try_plan(false) : nullptr;
  };
  const auto settle = [&](std::unique_ptr<Plan> current) -> std::unique_ptr<Plan> {
    if (layout() != Layout::Timed) return current;
    std::vector<std::unique_ptr<Plan>> candidates;
    candidates.push_back(std::move(current));
    if (auto other = try_plan(!candidates.front()->blocked())) candidates.push_back(std::move(other));
    return fastest(std::move(candidates), ptrs, &ran);
  };
  return run_planned(state, key, make, settle, [&](const Plan& p) {
    if (!ran) p.run(ptrs);
    ran = false;
  });
}

}  // namespace theon::dnnl
