// The convolution ops: parameters, types, shapes and gradients.
#include "ops/conv.hpp"

#include "ops/op_info.hpp"
#include "theon/ops.hpp"

namespace theon {

namespace {

// A static size, or -1.
int64_t static_size(const Var& v, int axis) { return v->type.shape[static_cast<size_t>(axis)]; }

// The value of element d of an int64 shape vector when it is a constant, else -1.
int64_t constant_element(const Var& v, int d) {
  if (const Constant* c = as_constant(v)) {
    if (c->value.ndim() == 1 && d < c->value.shape[0]) return c->value.get_int(d);
  }
  if (v->owner && v->owner->op->kind() == OpKind::MakeVector) {
    int64_t k;
    bool too_big;
    if (get_constant_index(v->owner->inputs[static_cast<size_t>(d)], &k, &too_big) && !too_big) return k;
  }
  return -1;
}

Var spatial_shape(const Var& x, int nd) {
  std::vector<Var> dims;
  for (int d = 0; d < nd; ++d) dims.push_back(shape_i(x, 2 + d));
  return make_vector(dims);
}

// The filters' tap counts (their spatial sizes), wherever p lays them out.
Var tap_shape(const Var& w, const ConvParams& p) {
  std::vector<Var> dims;
  for (int d = 0; d < p.nd; ++d) dims.push_back(shape_i(w, p.filter_tap_axis(d)));
  return make_vector(dims);
}

Var int_const(int64_t v) { return scalar_constant<int64_t>(v); }

}  // namespace

void ConvParams::check(const std::string& op) {
  if (nd < 1 || nd > 3)
    throw ValueError(op + ": convolutions have 1 to 3 spatial dimensions, got " + std::to_string(nd));
  const auto fill = [&](std::vector<int64_t>& v, int64_t dflt, const char* what, int64_t least) {
    if (v.empty()) v.assign(static_cast<size_t>(nd), dflt);
    if (v.size() != static_cast<size_t>(nd))
      throw ValueError(op + ": " + what + " needs " + std::to_string(nd) + " values, got " + ints_str(v));
    for (int64_t e : v) {
      if (e < least)
        throw ValueError(op + ": " + what + " must be " + (least ? "positive" : "non-negative") + ", got " +
                         ints_str(v));
      if (e > kMaxConvParam)  // keeps every size computed from them within int64
        throw ValueError(op + ": " + what + " must be at most " + std::to_string(kMaxConvParam) + ", got " +
                         ints_str(v));
    }
  };
  fill(pad, 0, "the padding", 0);
  if (pad_hi.empty() || border != ConvBorder::Explicit) pad_hi = pad;
  fill(pad_hi, 0, "the padding after", 0);
  fill(stride, 1, "the stride (subsample)", 1);
  fill(dilation, 1, "the dilation", 1);
  if (groups < 1 || groups > kMaxConvParam)
    throw ValueError(op + ": num_groups must be in [1, " + std::to_string(kMaxConvParam) + "], got " +
                     std::to_string(groups));
}

int64_t ConvParams::pad_for(int d, int64_t k) const {
  const int64_t dilated = (k - 1) * dilation[static_cast<size_t>(d)] + 1;
  switch (border) {
    case ConvBorder::Full:
      return dilated - 1;
    case ConvBorder::Half:
      return dilated / 2;
    case ConvBorder::Explicit:
      break;
  }
  return pad[static_cast<size_t>(d)];
}

int64_t ConvParams::pad_after(int d, int64_t k) const {
  return border == ConvBorder::Explicit ? pad_hi[static_cast<size_t>(d)] : pad_for(d, k);
}

std::string ConvParams::str() const {
  std::string b = border == ConvBorder::Full ? "'full'" : border == ConvBorder::Half ? "'half'" : ints_str(pad);
  if (border == ConvBorder::Explicit && pad_hi != pad) b = ints_str(pad) + " before, " + ints_str(pad_hi) + " after";
  std::string s = "border_mode=" + b + ", subsample=" + ints_str(stride) + ", filter_dilation=" + ints_str(dilation);
  if (groups != 1) s += ", num_groups=" + std::to_string(groups);
  if (!flip) s += ", filter_flip=False";
  if (unshared) s += ", unshared=True";
  return s;
}

int64_t conv_output_size(int64_t i, int64_t k, int64_t pad_before, int64_t pad_after, int64_t stride,
                         int64_t dilation) {
  const int64_t dilated = (k - 1) * dilation + 1;
  return (i + pad_before + pad_after - dilated) / stride + 1;
}

const ConvParams& conv_params(const Op& op) { return static_cast<const ops::Conv&>(op).params(); }

namespace ops {

OpKind Conv::kind() const {
  switch (role_) {
    case ConvRole::GradInputs:
      return OpKind::ConvGradInputs;
    case ConvRole::GradWeights:
      return OpKind::ConvGradWeights;
    case ConvRole::Forward:
      break;
  }
  return OpKind::Conv;
}

std::string Conv::name() const {
  const std::string base = "AbstractConv" + std::to_string(p_.nd) + "d";
  const std::string suffix = role_ == ConvRole::GradInputs    ? "_gradInputs"
                             : role_ == ConvRole::GradWeights ? "_gradWeights"
                                                              : "";
  static const char* const acts[] = {"", "relu", "tanh", "sigmoid"};
  std::string epilogue = bias_ ? "+bias" : "";
  if (act_ != ConvActivation::None) epilogue += std::string("+") + acts[static_cast<int>(act_)];
  return base + suffix + "{" + p_.str() + "}" + epilogue;
}

bool Conv::equals(const Op& o) const {
  auto* c = dynamic_cast<const Conv*>(&o);
  return c && c->role_ == role_ && c->p_ == p_ && c->bias_ == bias_ && c->act_ == act_;
}

size_t Conv::hash() const { return std::hash<std::string>()(name()); }

std::vector<TensorType> Conv::infer_types(const std::vector<Var>& in) const {
  const std::string op = name();
  const size_t want = role_ == ConvRole::Forward ? (bias_ ? 3 : 2) : 3;
  if (in.size() != want)
    throw TypeError(op + " takes " + std::to_string(want) + " inputs, got " + std::to_string(in.size()));
  const int rank = p_.nd + 2;
  const Var& a = in[0];  // x, or w for GradInputs
  const Var& b = in[1];  // w, or gy
  const int filter_input = role_ == ConvRole::Forward ? 1 : role_ == ConvRole::GradInputs ? 0 : -1;
  for (int i = 0; i < 2; ++i) {
    const Var& v = in[static_cast<size_t>(i)];
    if (i == filter_input && v->ndim() != p_.filter_rank())
      throw TypeError(op + ": expects " + std::to_string(p_.filter_rank()) + "-d filters (" +
                      (p_.unshared ? "output channels, output positions, channels and taps"
                                   : "output channels, channels and taps") +
                      "), got " + describe_types(in));
    if (i != filter_input && v->ndim() != rank)
      throw TypeError(op + ": expects " + std::to_string(rank) + "-d inputs (batch, channels and " +
                      std::to_string(p_.nd) + " spatial dimensions), got " + describe_types(in));
    if (v->dtype() != DType::Float32 && v->dtype() != DType::Float64)
      throw TypeError(op + ": expects float32 or float64 inputs, got " + describe_types(in));
  }
  if (a->dtype() != b->dtype()) throw TypeError(op + ": the inputs must have one dtype, got " + describe_types(in));
  if (bias_ && (in[2]->ndim() != 1 || in[2]->dtype() != a->dtype()))
    throw TypeError(op + ": the bias must be a vector of the inputs' dtype, got " + describe_types(in));
  if (bias_) {
    const int64_t nb = static_size(in[2], 0), o = static_size(b, 0);
    if (nb >= 0 && o >= 0 && nb != o)
      throw ValueError(op + ": the bias has " + std::to_string(nb) + " values for " + std::to_string(o) +
                       " filters (shapes " + describe_types(in) + ")");
  }
  if (role_ != ConvRole::Forward && (in[2]->ndim() != 1 || !is_int(in[2]->dtype())))
    throw TypeError(op + ": the shape input must be an integer vector, got " + in[2]->type.str());
  const DType dt = a->dtype();
  std::vector<int64_t> shape(static_cast<size_t>(role_ == ConvRole::GradWeights ? p_.filter_rank() : rank), -1);
  const int wc = p_.filter_channel_axis();
  const int64_t g = p_.groups;
  auto check_channels = [&](int64_t c_in, int64_t w_in, int64_t w_out) {
    if (c_in >= 0 && w_in >= 0 && c_in != w_in * g)
      throw ValueError(op + ": the input has " + std::to_string(c_in) + " channels but the filters expect " +
                       std::to_string(w_in) + " x " + std::to_string(g) + " groups = " + std::to_string(w_in * g) +
                       " (shapes " + describe_types(in) + ")");
    if (w_out >= 0 && w_out % g != 0)
      throw ValueError(op + ": " + std::to_string(w_out) + " filters do not split into " + std::to_string(g) +
                       " groups");
  };
  switch (role_) {
    case ConvRole::Forward: {
      check_channels(static_size(a, 1), static_size(b, wc), static_size(b, 0));
      shape[0] = static_size(a, 0);
      shape[1] = static_size(b, 0);
      for (int d = 0; d < p_.nd; ++d) {
        const int64_t i = static_size(a, 2 + d), k = static_size(b, p_.filter_tap_axis(d));
        if (i < 0 || k < 0) continue;
        const auto ud = static_cast<size_t>(d);
        const int64_t lo = p_.pad_for(d, k), hi = p_.pad_after(d, k), dilated = (k - 1) * p_.dilation[ud] + 1;
        if (i + lo + hi < dilated)
          throw ValueError(op + ": the filters (" + std::to_string(dilated) + " taps dilated along spatial axis " +
                           std::to_string(d) + ") are larger than the padded input (" + std::to_string(i) + " + " +
                           std::to_string(lo + hi) + "), shapes " + describe_types(in));
        shape[2 + ud] = conv_output_size(i, k, lo, hi, p_.stride[ud], p_.dilation[ud]);
        const int64_t per_position = p_.unshared ? static_size(b, 1 + d) : -1;
        if (per_position >= 0 && per_position != shape[2 + ud])
          throw ValueError(op + ": the unshared filters hold " + std::to_string(per_position) +
                           " positions along spatial axis " + std::to_string(d) + " but the output has " +
                           std::to_string(shape[2 + ud]) + ", shapes " + describe_types(in));
      }
      break;
    }
    case ConvRole::GradInputs:  // (w, gy, shape): (N, C, *I)
      shape[0] = static_size(b, 0);
      if (static_size(a, wc) >= 0 && !mul_fits(static_size(a, wc), g, &shape[1]))
        throw ValueError(op + ": the input's channel count overflows (" + describe_types(in) + ")");
      for (int d = 0; d < p_.nd; ++d) shape[2 + static_cast<size_t>(d)] = constant_element(in[2], d);
      break;
    case ConvRole::GradWeights:  // (x, gy, shape): (O, C / g, *K)
      shape[0] = static_size(b, 1);
      if (static_size(a, 1) >= 0 && static_size(a, 1) % g != 0)
        throw ValueError(op + ": " + std::to_string(static_size(a, 1)) + " input channels do not split into " +
                         std::to_string(g) + " groups");
      shape[static_cast<size_t>(wc)] = static_size(a, 1) >= 0 ? static_size(a, 1) / g : -1;
      for (int d = 0; d < p_.nd; ++d) {
        shape[static_cast<size_t>(p_.filter_tap_axis(d))] = constant_element(in[2], d);
        if (p_.unshared) shape[1 + static_cast<size_t>(d)] = static_size(b, 2 + d);  // gy's positions
      }
      break;
  }
  return {TensorType(dt, shape)};
}

Var Conv::infer_shape(const Apply& node, int, int axis, const InputSize& input_size) const {
  const int64_t g = p_.groups;
  if (role_ == ConvRole::Forward) {
    if (axis == 0) return input_size(0, 0);
    if (axis == 1) return input_size(1, 0);
    const int d = axis - 2;
    const auto ud = static_cast<size_t>(d);
    const Var i = input_size(0, axis), k = input_size(1, p_.filter_tap_axis(d));
    const Var dilated = add(mul(sub(k, int_const(1)), int_const(p_.dilation[ud])), int_const(1));
    Var pads;  // before and after
    switch (p_.border) {
      case ConvBorder::Full:
        pads = mul(int_const(2), sub(dilated, int_const(1)));
        break;
      case ConvBorder::Half:
        pads = mul(int_const(2), int_div(dilated, int_const(2)));
        break;
      case ConvBorder::Explicit:
        pads = int_const(p_.pad[ud] + p_.pad_hi[ud]);
        break;
    }
    return add(int_div(sub(add(i, pads), dilated), int_const(p_.stride[ud])), int_const(1));
  }
  (void)node;
  if (role_ == ConvRole::GradInputs) {
    if (axis == 0) return input_size(1, 0);
    if (axis == 1) return mul(input_size(0, p_.filter_channel_axis()), int_const(g));
  } else {
    if (axis == 0) return input_size(1, 1);
    if (axis == p_.filter_channel_axis()) return int_div(input_size(0, 1), int_const(g));
    if (p_.unshared && axis <= p_.nd) return input_size(1, 1 + axis);  // gy's positions
  }
  return nullptr;  // the spatial sizes are the shape input's values
}

std::vector<Var> Conv::grad(const Apply& node, const std::vector<Var>& gouts) const {
  const Var& g = gouts[0];
  if (!g) return {nullptr, nullptr, nullptr};
  const Var& a = node.inputs[0];
  const Var& b = node.inputs[1];
  Var gg = g->dtype() == a->dtype() ? g : cast(g, a->dtype());
  if (role_ == ConvRole::Forward && act_ != ConvActivation::None) {  // through the activation, from its result y
    const Var y = const_cast<Apply&>(node).output(0);                // an aliasing handle; the node is not changed
    const Var one = constant_like(1.0, y->dtype());
    switch (act_) {
      case ConvActivation::Relu:
        gg = mul(gg, cast(gt(y, constant_like(0.0, y->dtype())), y->dtype()));
        break;
      case ConvActivation::Tanh:
        gg = mul(gg, sub(one, mul(y, y)));
        break;
      case ConvActivation::Sigmoid:
        gg = mul(gg, mul(y, sub(one, y)));
        break;
      case ConvActivation::None:
        break;
    }
  }
  switch (role_) {
    case ConvRole::Forward: {  // (x, w[, b])
      std::vector<Var> grads{conv_grad_inputs(b, gg, spatial_shape(a, p_.nd), p_),
                             conv_grad_weights(a, gg, tap_shape(b, p_), p_)};
      if (bias_) {
        std::vector<int> axes{0};
        for (int d = 0; d < p_.nd; ++d) axes.push_back(2 + d);
        grads.push_back(sum(gg, axes));
      }
      return grads;
    }
    case ConvRole::GradInputs:  // (w, gy, shape) -> gx; g is shaped as x
      return {conv_grad_weights(gg, b, tap_shape(a, p_), p_), conv(gg, a, p_), nullptr};
    case ConvRole::GradWeights:  // (x, gy, shape) -> gw; g is shaped as w
      return {conv_grad_inputs(gg, b, spatial_shape(a, p_.nd), p_), conv(a, gg, p_), nullptr};
  }
  return {};
}

}  // namespace ops

namespace {

// float16 convolutions compute in float32 and round once, as Theano's did.
Var apply_conv(ops::ConvRole role, ConvParams p, const char* what, Var a, Var b, const Var& shape) {
  p.check(what);
  const bool half = a->dtype() == DType::Float16 && b->dtype() == DType::Float16;
  if (half) a = cast(a, DType::Float32), b = cast(b, DType::Float32);
  std::vector<Var> in{a, b};
  if (shape) in.push_back(shape->dtype() == DType::Int64 ? shape : cast(shape, DType::Int64));
  Var y = apply1(std::make_shared<ops::Conv>(role, p), in);
  return half ? cast(y, DType::Float16) : y;
}

}  // namespace

Var conv(const Var& x, const Var& w, ConvParams p) {
  return apply_conv(ops::ConvRole::Forward, std::move(p), "conv", x, w, nullptr);
}

Var conv_bias_act(const Var& x, const Var& w, const Var& b, ConvParams p, ConvActivation act) {
  p.check("conv_bias_act");
  std::vector<Var> in{x, w};
  if (b) in.push_back(b);
  return apply1(std::make_shared<ops::Conv>(ops::ConvRole::Forward, p, b != nullptr, act), in);
}

Var conv_grad_inputs(const Var& w, const Var& gy, const Var& input_shape, ConvParams p) {
  return apply_conv(ops::ConvRole::GradInputs, std::move(p), "conv_grad_inputs", w, gy, input_shape);
}

Var conv_grad_weights(const Var& x, const Var& gy, const Var& filter_shape, ConvParams p) {
  return apply_conv(ops::ConvRole::GradWeights, std::move(p), "conv_grad_weights", x, gy, filter_shape);
}

}  // namespace theon
