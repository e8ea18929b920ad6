// The native tier from C++: a function compiled with NativeMode::Wait runs
// generated code (from the build's source tree headers) with the VM's values.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "../../src/theon/core/sha256.hpp"
#include "theon/theon.hpp"

using namespace theon;

TEST(Native, WaitModeCompilesAndMatchesTheVm) {
  const std::string dir = std::filesystem::temp_directory_path() / ("theon-native-test-" + std::to_string(getpid()));
  Var x = variable(TensorType(DType::Float64, {-1}), "x");
  Var out = add(mul(tanh(x), exp(neg(x))), scalar_constant<double>(0.5));
  FunctionOptions native;
  native.native.mode = NativeMode::Wait;
  native.native.cache_dir = dir;
  Function f({x}, {out}, native);
  Function vm({x}, {out});
  NDArray in = NDArray::from_vector<double>({-2, -0.5, 0, 0.25, 3, NAN}, {6});
  NDArray a = f({in})[0], b = vm({in})[0];
  // A machine with a compiler must get native code; one without runs the VM.
  const bool have_cxx = std::system("c++ --version >/dev/null 2>&1") == 0;
  ASSERT_EQ(f.native_ready(), have_cxx);
  EXPECT_FALSE(vm.native_ready());
  for (int64_t i = 0; i < 5; ++i)
    EXPECT_NEAR(a.get_double(i), b.get_double(i), 1e-15 * (1 + std::fabs(b.get_double(i))));
  EXPECT_TRUE(std::isnan(a.get_double(5)));
  EXPECT_NE(f.native_source().find("theon::sf::Tanh::f<T>"), std::string::npos);
  if (!have_cxx) return;
  std::filesystem::remove_all(dir);
}

// ---- the disk cache's trust checks (docs/native.md, "Trust")

namespace {

namespace fs = std::filesystem;

bool have_compiler() { return std::system("c++ --version >/dev/null 2>&1") == 0; }

// A fresh directory under the system's temporary directory, removed at the end of the test.
struct ScratchDir {
  fs::path path;
  explicit ScratchDir(const std::string& name)
      : path(fs::temp_directory_path() / ("theon-cache-test-" + name + "-" + std::to_string(getpid()))) {
    fs::remove_all(path);
    fs::create_directories(path);
    fs::permissions(path, fs::perms::owner_all);
  }
  ~ScratchDir() { fs::remove_all(path); }
};

// The warnings theon gives while this is alive.
struct CapturedWarnings {
  static std::vector<std::string>& said() {
    static std::vector<std::string> s;
    return s;
  }
  CapturedWarnings() {
    said().clear();
    set_warning_hook([](const std::string& msg) { said().push_back(msg); });
  }
  ~CapturedWarnings() { set_warning_hook(nullptr); }
};

// A function whose fused kernel goes native with `cache_dir` (-O1: the compiles are short).
std::unique_ptr<Function> native_function(const fs::path& cache_dir, const std::string& flags = "-O1") {
  Var x = variable(TensorType(DType::Float64, {-1}), "x");
  FunctionOptions o;
  o.native.mode = NativeMode::Wait;
  o.native.cache_dir = cache_dir;
  o.native.flags = flags;
  return std::make_unique<Function>(std::vector<Var>{x}, std::vector<Var>{mul(exp(x), scalar_constant<double>(1.5))},
                                    o);
}

std::vector<fs::path> files_ending(const fs::path& dir, const std::string& suffix) {
  std::vector<fs::path> found;
  if (!fs::is_directory(dir)) return found;
  for (const auto& e : fs::directory_iterator(dir)) {
    const std::string name = e.path().filename();
    if (name.size() >= suffix.size() && name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0)
      found.push_back(e.path());
  }
  return found;
}

unsigned mode_of(const fs::path& p) {
  struct stat st;
  return stat(p.c_str(), &st) == 0 ? st.st_mode & 07777 : 0;
}

std::string file_text(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

}  // namespace

TEST(NativeCache, DirectoriesItCreatesArePrivateEvenUnderUmask000) {
  if (!have_compiler()) GTEST_SKIP() << "no C++ compiler";
  ScratchDir scratch("umask");
  const fs::path root = scratch.path / "made" / "by" / "theon";
  const mode_t old_umask = umask(0);
  auto f = native_function(root);
  umask(old_umask);
  ASSERT_TRUE(f->native_ready());
  for (const fs::path& dir : {scratch.path / "made", scratch.path / "made" / "by", root, root / "native"})
    EXPECT_EQ(mode_of(dir), 0700u) << dir;
  // The module and its hash record are private too, and the record is the module's SHA-256.
  const auto modules = files_ending(root / "native", ".so");
  ASSERT_EQ(modules.size(), 1u);
  const std::string key = modules[0].stem();
  EXPECT_EQ(key.size(), 64u);
  EXPECT_EQ(key.find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_EQ(mode_of(modules[0]), 0600u);
  const fs::path record = root / "native" / (key + ".sha256");
  EXPECT_EQ(mode_of(record), 0600u);
  EXPECT_EQ(file_text(record), sha256_hex(file_text(modules[0])) + "  " + key + ".so\n");
}

// NativeOptions::flags are compiler arguments: shell syntax in them is never run.
TEST(NativeCache, FlagsAreArgumentsNeverShellText) {
  if (!have_compiler()) GTEST_SKIP() << "no C++ compiler";
  ScratchDir scratch("flags");
  const fs::path marker = scratch.path / "shell-ran";
  CapturedWarnings warnings;
  for (const std::string& flags : {"-O1 $(touch " + marker.string() + ")", "-O1 ; touch " + marker.string(),
                                   "-O1 `touch " + marker.string() + "`"}) {
    auto f = native_function(scratch.path / "cache", flags);
    EXPECT_FALSE(f->native_ready()) << flags;
  }
  EXPECT_FALSE(fs::exists(marker));
  ASSERT_FALSE(CapturedWarnings::said().empty());
  EXPECT_NE(CapturedWarnings::said()[0].find("compiler failed"), std::string::npos) << CapturedWarnings::said()[0];
  // Plain flags with extra whitespace are split into arguments and work.
  auto g = native_function(scratch.path / "cache", "  -O2\t -fno-math-errno  ");
  EXPECT_TRUE(g->native_ready());
}

TEST(NativeCache, GroupOrWorldWritableDirectoryIsRefused) {
  if (!have_compiler()) GTEST_SKIP() << "no C++ compiler";
  for (const bool native_dir : {false, true}) {
    ScratchDir scratch(native_dir ? "writable-native" : "writable-root");
    const fs::path root = scratch.path / "cache", dir = native_dir ? root / "native" : root;
    fs::create_directories(dir);
    chmod(dir.c_str(), native_dir ? 0770 : 0777);
    CapturedWarnings warnings;
    auto f = native_function(root);
    EXPECT_FALSE(f->native_ready());
    ASSERT_EQ(CapturedWarnings::said().size(), 1u);
    const std::string& said = CapturedWarnings::said()[0];
    EXPECT_NE(said.find("cache directory " + dir.string() + " is not trusted"), std::string::npos) << said;
    EXPECT_NE(said.find("writable by group or others (mode 07"), std::string::npos) << said;
    EXPECT_TRUE(files_ending(root / "native", ".so").empty());
    // Made private again, the same directory is used.
    chmod(dir.c_str(), 0700);
    EXPECT_TRUE(native_function(root)->native_ready());
  }
}

TEST(NativeCache, DirectoryOfAnotherUserIsRefused) {
  if (!have_compiler()) GTEST_SKIP() << "no C++ compiler";
  if (geteuid() != 0) GTEST_SKIP() << "needs root to give a directory to another user";
  for (const bool native_dir : {false, true}) {
    ScratchDir scratch(native_dir ? "foreign-native" : "foreign-root");
    const fs::path root = scratch.path / "cache", dir = native_dir ? root / "native" : root;
    fs::create_directories(dir);
    chmod(root.c_str(), 0700);
    chmod(dir.c_str(), 0700);
    ASSERT_EQ(chown(dir.c_str(), 65534, 65534), 0);
    CapturedWarnings warnings;
    EXPECT_FALSE(native_function(root)->native_ready());
    ASSERT_EQ(CapturedWarnings::said().size(), 1u);
    const std::string& said = CapturedWarnings::said()[0];
    EXPECT_NE(said.find("cache directory " + dir.string() + " is not trusted"), std::string::npos) << said;
    EXPECT_NE(said.find("owned by uid 65534, not by this user (uid 0)"), std::string::npos) << said;
  }
}

// A module file that another user owns, that others may write, or that is a
// symbolic link is refused before anything opens it as code.
TEST(NativeCache, ModuleFileNotPrivateToThisUserIsRefused) {
  if (!have_compiler()) GTEST_SKIP() << "no C++ compiler";
  const bool root_user = geteuid() == 0;
  for (const std::string how : {"group-writable", "symlink", "fifo", "directory", "foreign"}) {
    if (how == "foreign" && !root_user) continue;  // needs root to give a file away
    ScratchDir scratch("module-" + how);
    native_function(scratch.path).reset();
    const auto modules = files_ending(scratch.path / "native", ".so");
    ASSERT_EQ(modules.size(), 1u);
    const fs::path module = modules[0];
    if (how == "group-writable") {
      chmod(module.c_str(), 0620);
    } else if (how == "foreign") {
      ASSERT_EQ(chown(module.c_str(), 65534, 65534), 0);
    } else if (how == "symlink") {
      fs::rename(module, scratch.path / "elsewhere.so");
      fs::create_symlink(scratch.path / "elsewhere.so", module);
    } else {  // a FIFO must not hang the open; neither is a module
      fs::remove(module);
      ASSERT_EQ(how == "fifo" ? mkfifo(module.c_str(), 0600) : mkdir(module.c_str(), 0700), 0);
    }
    CapturedWarnings warnings;
    EXPECT_FALSE(native_function(scratch.path)->native_ready()) << how;
    ASSERT_EQ(CapturedWarnings::said().size(), 1u) << how;
    const std::string& said = CapturedWarnings::said()[0];
    EXPECT_NE(said.find("cache file " + module.string() + " is not trusted"), std::string::npos) << said;
    const char* reason = how == "foreign"          ? "owned by uid 65534"
                         : how == "symlink"        ? "is a symbolic link"
                         : how == "group-writable" ? "writable by group or others (mode 0620)"
                                                   : "is not a regular file";
    EXPECT_NE(said.find(reason), std::string::npos) << said;
  }
}
