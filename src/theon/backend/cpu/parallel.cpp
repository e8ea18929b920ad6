// A small persistent pool: each loop hands out chunks through an atomic
// counter, so uneven chunks balance themselves, and the caller never waits
// for a worker that has not started (see the gate below). Between loops a
// worker spins briefly, then yields, then sleeps on a condition variable:
// calls that come back to back (a training loop, a benchmark) find it awake,
// where waking a sleeping thread costs tens of microseconds, as long as a
// 1e5 element loop itself.
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

// Waiting (an idle worker for the next loop, a caller for the workers that
// joined its loop) spins with `pause` for a few microseconds, then yields the
// core for a while, then sleeps: back-to-back calls (a training loop) find the
// workers awake, and on a busy machine a waiting thread gives its core to
// whoever can run instead of burning its time slice.
constexpr auto kSpin = std::chrono::microseconds(20);
constexpr auto kYield = std::chrono::microseconds(400);

inline void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#else
  std::this_thread::yield();
#endif
}

// Spins, then yields, until pred() or the time is over; returns pred()'s last value.
template <class Pred>
bool spin_until(Pred pred) {
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0;; ++i) {
    if (pred()) return true;
    if ((i & 15) != 15) {
      cpu_relax();
      continue;
    }
    const auto waited = std::chrono::steady_clock::now() - start;
    if (waited > kSpin + kYield) return pred();
    if (waited > kSpin) std::this_thread::yield();
  }
}

// A loop stalled when the caller, done with its own share, waited for the
// workers that joined longer than that whole share took, plus kStallSlack: a
// joined worker lost its core mid-chunk. On a quiet machine the wait is at
// most one chunk's remainder plus a wake-up; a descheduled worker costs a
// scheduler time slice (milliseconds). See pool_contended() (runtime.hpp).
constexpr auto kStallSlack = std::chrono::microseconds(300);
constexpr auto kContendedFor = std::chrono::milliseconds(100);
std::atomic<int64_t> g_contended_until{0};  // steady_clock ticks

int64_t now_ticks() { return std::chrono::steady_clock::now().time_since_epoch().count(); }

std::atomic<int> g_threads{0};   // 0 = not yet decided
std::atomic<int> g_explicit{0};  // set by set_num_threads(), 0 after reset_num_threads()
thread_local bool t_in_worker = false;

// A loop's gate: generation (high 32 bits), open flag, and how many workers
// joined (low bits). A worker joins only an open gate of the loop it saw; the
// caller closes it once every chunk is handed out and waits only for those
// that joined, never for a worker the OS has not scheduled yet (that one
// finds the gate closed and goes back to waiting). So a loop on a busy
// machine costs at most what one thread would take, plus the chunks in flight.
constexpr uint64_t kOpen = uint64_t(1) << 31;
constexpr uint64_t kJoinedMask = kOpen - 1;

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
    uint64_t gen;
    {
      std::lock_guard<std::mutex> lk(m_);
      fn_ = &fn;
      n_ = n;
      chunk_ = chunk;
      next_.store(0);
      error_ = nullptr;
      finished_.store(0);
      const int active = std::min<int>({nthreads - 1, static_cast<int>(workers_.size()), 0xffff});
      gen = ((gate_.load() >> 32) + 1) & 0xffffffff;
      gate_.store(gen << 32 | kOpen);
      // The generation and how many workers it wants in one word, so that no
      // worker pairs one loop's generation with another's count.
      loop_.store(gen << 16 | static_cast<uint64_t>(active));
    }
    if (sleeping_.load() > 0) cv_.notify_all();
    t_in_worker = true;  // the caller's share: a nested loop inside it runs serially
    const auto start = std::chrono::steady_clock::now();
    work();
    t_in_worker = false;
    const auto own_done = std::chrono::steady_clock::now();
    const uint64_t joined = gate_.fetch_and(~kOpen) & kJoinedMask;
    if (!spin_until([&] { return finished_.load() == joined; })) {
      std::unique_lock<std::mutex> lk(m_);
      done_.wait(lk, [&] { return finished_.load() == joined; });
    }
    if (joined > 0) {
      const auto waited = std::chrono::steady_clock::now() - own_done;
      if (waited > (own_done - start) + kStallSlack) mark_pool_contended();
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

  // Joins the loop of generation `gen` if its gate is still open.
  bool join(uint64_t gen) {
    uint64_t cur = gate_.load();
    while ((cur >> 32) == gen && (cur & kOpen)) {
      if (gate_.compare_exchange_weak(cur, cur + 1)) return true;
    }
    return false;
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
        sleeping_.fetch_add(1);
        cv_.wait(lk, next_loop);
        sleeping_.fetch_sub(1);
      }
      seen = word >> 16;
      if (!join(seen)) continue;  // too late: the caller did the work
      work();
      std::lock_guard<std::mutex> lk(m_);  // the caller checks finished_ under m_ before it sleeps
      finished_.fetch_add(1);
      done_.notify_one();
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
  std::atomic<uint64_t> gate_{0};      // generation << 32 | open | workers joined (see kOpen)
  std::atomic<uint64_t> finished_{0};  // joined workers done with this loop
  std::atomic<int> sleeping_{0};       // workers waiting on cv_
  std::atomic<uint64_t> loop_{0};      // generation << 16 | workers wanted
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
}

void reset_num_threads() {
  g_threads.store(0);
  g_explicit.store(0);
}

int explicit_num_threads() { return g_explicit.load(); }

bool pool_contended() { return now_ticks() < g_contended_until.load(std::memory_order_relaxed); }

void mark_pool_contended() {
  using std::chrono::steady_clock;
  const int64_t span = std::chrono::duration_cast<steady_clock::duration>(kContendedFor).count();
  g_contended_until.store(now_ticks() + span, std::memory_order_relaxed);
}

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
