// Clock: the only source of "now" in the engine, injected everywhere so tests
// can run a ten-day sequence in milliseconds. Implementations are thread-safe.
#pragma once

#include <atomic>
#include <cstdint>

namespace leadterra {

class Clock {
 public:
  virtual ~Clock() = default;
  // Milliseconds since the Unix epoch, UTC.
  virtual int64_t NowMillis() const = 0;
};

// Wall-clock time from the system.
class SystemClock final : public Clock {
 public:
  int64_t NowMillis() const override;
  static SystemClock& Instance();
};

// A clock that only moves when told to. For tests.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(int64_t start_millis) : now_(start_millis) {}
  int64_t NowMillis() const override { return now_.load(); }
  void Set(int64_t millis) { now_.store(millis); }
  void Advance(int64_t millis) { now_.fetch_add(millis); }

 private:
  std::atomic<int64_t> now_;
};

}  // namespace leadterra
