// Test helper: a fresh SQLite store in a temporary directory, removed after.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "store/sqlite/sqlite_store.h"

namespace leadterra::testing {

class TempStore {
 public:
  explicit TempStore(int64_t day_millis = 1000) {
    dir_ = std::filesystem::temp_directory_path() /
           ("leadterra-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter_++));
    std::filesystem::create_directories(dir_);
    auto opened = store::OpenSqliteStore((dir_ / "test.db").string(), {2, day_millis});
    if (!opened.ok()) throw std::runtime_error(opened.status().message());
    store_ = std::move(opened).value();
  }
  ~TempStore() {
    store_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  store::Store& operator*() { return *store_; }
  store::Store* operator->() { return store_.get(); }
  const std::filesystem::path& dir() const { return dir_; }

 private:
  static inline int counter_ = 0;
  std::filesystem::path dir_;
  std::unique_ptr<store::Store> store_;
};

}  // namespace leadterra::testing
