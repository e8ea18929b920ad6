// A small persistent pool: each loop hands out chunks through an atomic
// counter, so uneven chunks balance themselves. Between loops a worker spins
// for a short while before it sleeps on a condition variable: calls that come
// back to back (a training loop, a benchmark) then find it awake, where
// waking a sleeping thread costs tens of microseconds, as long as a 1e5
// element loop itself.
#include <pthread.h>
#include <sched.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <exception>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "theon/backend/cpu/blas.hpp"
#include "theon/runtime.hpp"

namespace theon {

namespace {

int env_threads(const char* name) {
  const char* s = std::getenv(name);
  if (!s || !*s) return 0;
  char* end = nullptr;
  long v = std::strtol(s, &end, 10);
  return (end && *end == '\0' && v > 0 && v < 4096) ? static_cast<int>(v) : 0;
}

}  // namespace

int default_num_threads() {
  if (int v = env_threads("THEON_NUM_THREADS")) return v;
  if (int v = env_threads("OMP_NUM_THREADS")) return v;
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof(set), &set) == 0) return std::max(1, CPU_COUNT(&set));
  return std::max(1u, std::thread::hardware_concurrency());
}

namespace {

// How long an idle worker (or a caller waiting for its workers) spins before it sleeps.
constexpr auto kSpin = std::chrono::microseconds(500);

inline void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#else
  std::this_thread::yield();
#endif
}

// Spins until pred() or kSpin has passed; returns pred()'s last value.
template <class Pred>
bool spin_until(Pred pred) {
  const auto until = std::chrono::steady_clock::now() + kSpin;
  for (int i = 0;; ++i) {
    if (pred()) return true;
    cpu_relax();
    if ((i & 63) == 63 && std::chrono::steady_clock::now() > until) return pred();
  }
}

std::atomic<int> g_threads{0};   // 0 = not yet decided
std::atomic<int> g_explicit{0};  // set by set_num_threads(), 0 after reset_num_threads()
thread_local bool t_in_worker = false;

class Pool {
 public:
  // Never destroyed: workers may outlive static destructors. A forked child
  // has none of the parent's threads, so it starts a fresh pool (the old one,
  // perhaps locked mid-loop, is abandoned).
  static Pool& get() {
    static std::once_flag once;
    std::call_once(once, [] {
      instance() = new Pool();
      pthread_atfork(nullptr, nullptr, [] { instance() = new Pool(); });
    });
    return *instance();
  }

  // Returns false (and does nothing) when the pool is busy.
  bool run(int64_t n, int64_t chunk, int nthreads, const std::function<void(int64_t, int64_t)>& fn) {
    std::unique_lock<std::mutex> busy(busy_, std::try_to_lock);
    if (!busy.owns_lock()) return false;
    grow(nthreads - 1);
    {
      std::lock_guard<std::mutex> lk(m_);
      fn_ = &fn;
      n_ = n;
      chunk_ = chunk;
      next_.store(0);
      error_ = nullptr;
      const int active = std::min<int>({nthreads - 1, static_cast<int>(workers_.size()), 0xffff});

      pending_.store(active);
      // Publishes the loop to spinning workers: the generation and how many
      // workers it wants in one word, so that no worker pairs one loop's
      // generation with another's count (it would join a loop still being
      // set up and throw pending_ off).
      loop_.store(((loop_.load() >> 16) + 1) << 16 | static_cast<uint64_t>(active));
    }
    cv_.notify_all();
    t_in_worker = true;  // the caller's share: a nested loop inside it runs serially
    work();
    t_in_worker = false;
    if (!spin_until([&] { return pending_.load() == 0; })) {
      std::unique_lock<std::mutex> lk(m_);
      done_.wait(lk, [&] { return pending_.load() == 0; });
    }
    std::lock_guard<std::mutex> lk(m_);
    fn_ = nullptr;
    if (error_) std::rethrow_exception(error_);
    return true;
  }

 private:
  static Pool*& instance() {
    static Pool* p = nullptr;
    return p;
  }

  void grow(int want) {
    while (static_cast<int>(workers_.size()) < want) {
      int id = static_cast<int>(workers_.size());
      workers_.emplace_back([this, id] { loop(id); });
      workers_.back().detach();
    }
  }

  void work() {
    for (;;) {
      int64_t b = next_.fetch_add(chunk_);
      if (b >= n_) return;
      try {
        (*fn_)(b, std::min(n_, b + chunk_));
      } catch (...) {
        std::lock_guard<std::mutex> lk(m_);
        if (!error_) error_ = std::current_exception();
        next_.store(n_);  // stop handing out chunks
      }
    }
  }

  void loop(int id) {
    t_in_worker = true;
    uint64_t seen = 0;
    for (;;) {
      uint64_t word = 0;
      auto next_loop = [&] {
        word = loop_.load();
        return (word >> 16) != seen && static_cast<uint64_t>(id) < (word & 0xffff);
      };
      if (!spin_until(next_loop)) {
        std::unique_lock<std::mutex> lk(m_);
        cv_.wait(lk, next_loop);
      }
      seen = word >> 16;
      work();
      if (pending_.fetch_sub(1) == 1) {
        std::lock_guard<std::mutex> lk(m_);  // the caller checks pending_ under m_ before it sleeps
        done_.notify_one();
      }
    }
  }

  std::mutex busy_;  // one loop at a time
  std::mutex m_;
  std::condition_variable cv_, done_;
  std::vector<std::thread> workers_;
  const std::function<void(int64_t, int64_t)>* fn_ = nullptr;
  int64_t n_ = 0, chunk_ = 1;
  std::atomic<int64_t> next_{0};
  std::exception_ptr error_;
  std::atomic<int> pending_{0};
  std::atomic<uint64_t> loop_{0};  // generation << 16 | workers wanted (see run)
};

}  // namespace

int num_threads() {
  int t = g_threads.load();
  if (t == 0) {
    t = default_num_threads();
    g_threads.store(t);
  }
  return t;
}

void set_num_threads(int n) {
  n = std::max(1, n);
  g_threads.store(n);
  g_explicit.store(n);
  blas_follow_threads(n);
}

void reset_num_threads() {
  g_threads.store(0);
  if (g_explicit.exchange(0) != 0) blas_follow_threads(0);
}

int explicit_num_threads() { return g_explicit.load(); }

void parallel_for(int64_t n, int64_t grain, const std::function<void(int64_t, int64_t)>& fn) {
  if (n <= 0) return;
  grain = std::max<int64_t>(1, grain);
  const int threads = static_cast<int>(std::min<int64_t>(num_threads(), n / grain));
  if (threads < 2 || t_in_worker) {
    fn(0, n);
    return;
  }
  // A few chunks per thread, so a thread slowed by the OS does not hold up the rest.
  const int64_t chunk = std::max(grain, (n + threads * 4 - 1) / (threads * 4));
  if (!Pool::get().run(n, chunk, threads, fn)) fn(0, n);
}

}  // namespace theon
