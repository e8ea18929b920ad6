// Builds and runs oneDNN plans; see backend/cpu/onednn_plan.hpp.
#include "backend/cpu/onednn_plan.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <new>

#include "theon/error.hpp"

namespace theon::dnnl {

namespace {

handle md_with_tag(const Api& a, const std::vector<int64_t>& dims, int tag) {
  if (dims.empty() || dims.size() > 12)
    throw ValueError("oneDNN: a tensor of " + std::to_string(dims.size()) + " dimensions");
  dims_t d{};
  for (size_t i = 0; i < dims.size(); ++i) d[i] = dims[i];
  handle md = nullptr;
  check(a, a.memory_desc_create_with_tag(&md, static_cast<int>(dims.size()), d, kF32, tag), "memory_desc_create");
  return md;
}

}  // namespace

handle plain_md(const Api& a, const std::vector<int64_t>& dims) {
  return md_with_tag(a, dims, kTagPlain1 + static_cast<int>(dims.size()) - 1);
}

handle any_md(const Api& a, const std::vector<int64_t>& dims) { return md_with_tag(a, dims, kTagAny); }

Plan::Plan(const Api& a, bool blocked) : a_(a), blocked_(blocked) {
  check(a_, a_.stream_create(&stream_, a_.engine, kStreamInOrder), "stream_create");
}

Plan::~Plan() {
  for (handle p : prims_) a_.primitive_destroy(p);
  for (handle m : mems_) a_.memory_destroy(m);
  for (handle p : pds_) a_.primitive_desc_destroy(p);
  for (handle m : mds_) a_.memory_desc_destroy(m);
  a_.stream_destroy(stream_);
}

handle Plan::keep_md(handle md) {
  mds_.push_back(md);
  return md;
}

handle Plan::keep_pd(handle pd) {
  pds_.push_back(pd);
  return pd;
}

void Plan::set_primitive(handle pd) {
  handle prim = nullptr;
  check(a_, a_.primitive_create(&prim, pd), "primitive_create");
  prims_.push_back(prim);
  main_ = prim;
}

handle Plan::memory(chandle md, void* data) {
  handle m = nullptr;
  check(a_, a_.memory_create(&m, md, a_.engine, data), "memory_create");
  mems_.push_back(m);
  return m;
}

void* Plan::buffer(size_t bytes) {
  // 64-byte aligned, as oneDNN's blocked layouts prefer.
  auto owned = std::unique_ptr<char[]>(new (std::nothrow) char[bytes + 64]);
  if (!owned) throw MemoryError("oneDNN: a buffer of " + std::to_string(bytes) + " bytes could not be had");
  char* p = owned.get();
  p += (64 - reinterpret_cast<uintptr_t>(p) % 64) % 64;
  buffers_.push_back(std::move(owned));
  return p;
}

void Plan::bind(int slot, handle user, int arg, handle pd, int query, bool output, int index) {
  if (slots_.size() <= static_cast<size_t>(slot)) slots_.resize(static_cast<size_t>(slot) + 1, nullptr);
  handle user_mem = memory(user, nullptr);
  slots_[static_cast<size_t>(slot)] = user_mem;
  chandle want = a_.primitive_desc_query_md(pd, query, index);
  if (!want || a_.memory_desc_equal(want, user)) {
    main_args_.push_back({arg, user_mem});
    return;
  }
  handle inner = memory(want, buffer(a_.memory_desc_get_size(want)));
  handle rpd = nullptr;
  if (output)
    check(a_, a_.reorder_primitive_desc_create(&rpd, want, a_.engine, user, a_.engine, nullptr), "reorder");
  else
    check(a_, a_.reorder_primitive_desc_create(&rpd, user, a_.engine, want, a_.engine, nullptr), "reorder");
  keep_pd(rpd);
  handle prim = nullptr;
  check(a_, a_.primitive_create(&prim, rpd), "primitive_create (reorder)");
  prims_.push_back(prim);
  if (output)
    after_.push_back({prim, {{kArgSrc, inner}, {kArgDst, user_mem}}});
  else
    before_.push_back({prim, {{kArgSrc, user_mem}, {kArgDst, inner}}});
  main_args_.push_back({arg, inner});
}

void Plan::run(const std::vector<void*>& ptrs) const {
  if (ptrs.size() != slots_.size()) throw ValueError("oneDNN: a plan run with the wrong number of operands");
  for (size_t i = 0; i < ptrs.size(); ++i) check(a_, a_.memory_set_data_handle(slots_[i], ptrs[i]), "set_data_handle");
  set_threads(a_);
  auto exec = [&](handle prim, const std::vector<ExecArg>& args) {
    check(a_, a_.primitive_execute(prim, stream_, static_cast<int>(args.size()), args.data()), "primitive_execute");
  };
  for (const Step& s : before_) exec(s.prim, s.args);
  exec(main_, main_args_);
  for (const Step& s : after_) exec(s.prim, s.args);
  check(a_, a_.stream_wait(stream_), "stream_wait");
}

namespace {

Layout layout_from_env() {
  const char* e = std::getenv("THEON_ONEDNN_LAYOUT");
  if (!e || !*e || std::strcmp(e, "timed") == 0) return Layout::Timed;
  if (std::strcmp(e, "plain") == 0) return Layout::Plain;
  if (std::strcmp(e, "blocked") == 0) return Layout::Blocked;
  warn("THEON_ONEDNN_LAYOUT='" + std::string(e) + "' is not plain, blocked or timed; timing both");
  return Layout::Timed;
}

std::atomic<Layout>& layout_setting() {
  static std::atomic<Layout> l{layout_from_env()};
  return l;
}

}  // namespace

Layout layout() { return layout_setting().load(); }
void set_layout(Layout l) { layout_setting().store(l); }

std::unique_ptr<Plan> fastest(std::vector<std::unique_ptr<Plan>> candidates, const std::vector<void*>& ptrs,
                              bool* ran) {
  if (candidates.size() < 2) return candidates.empty() ? nullptr : std::move(candidates.front());
  // One untimed run each (first touches of buffers and scratchpads), then
  // two rounds of timed runs, interleaved so that a busy spell of the
  // machine weighs on every candidate; each keeps its best.
  for (auto& c : candidates) c->run(ptrs);
  std::vector<double> best(candidates.size(), 1e300);
  for (int round = 0; round < 2; ++round)
    for (size_t i = 0; i < candidates.size(); ++i) {
      const auto t0 = std::chrono::steady_clock::now();
      candidates[i]->run(ptrs);
      best[i] = std::min(best[i], std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    }
  const auto win = static_cast<size_t>(std::min_element(best.begin(), best.end()) - best.begin());
  if (win != candidates.size() - 1) candidates[win]->run(ptrs);  // the output is the winner's
  *ran = true;
  return std::move(candidates[win]);
}

std::unique_ptr<KernelState> prepare_plans(const Op&, const FunctionOptions*) {
  if (!api()) return nullptr;
  return std::make_unique<PlanCache>();
}

}  // namespace theon::dnnl
