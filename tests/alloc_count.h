// The heap-allocation counter of the test binaries: test_threads.cc replaces the global
// operator new and counts every allocation while `counting` is set.
#pragma once
#include <atomic>

namespace alloc_count {
extern std::atomic<bool> counting;
extern std::atomic<long> allocations;
}  // namespace alloc_count
