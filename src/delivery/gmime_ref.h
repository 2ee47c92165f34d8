// g_object_unref on scope exit, for GMime objects. Header-only; include only
// from files that already include <gmime/gmime.h>.
#pragma once

namespace leadterra::delivery {

template <typename T>
struct GRef {
  T* ptr;
  explicit GRef(T* p) : ptr(p) {}
  ~GRef() {
    if (ptr) g_object_unref(ptr);
  }
  GRef(const GRef&) = delete;
  GRef& operator=(const GRef&) = delete;
};

}  // namespace leadterra::delivery
